/**
 * A room's commands waiting for their answers, in the order they were
 * given. They go out once the room is joined on the current socket, and
 * again on the next socket if it drops first.
 *
 * @module
 */

import type { ClosedError, NatterError } from "./errors.ts";
import type { Command, ServerEvent } from "./frames.ts";
import { type AnswerTo, PendingCommand } from "./pending_command.ts";

/**
 * Commands in order, each until it is answered, refused or ended.
 *
 * @example
 * ```ts
 * const queue = new CommandQueue("lobby");
 * const left = queue.add({ type: "leave", room: "lobby" });
 * queue.flush((request) => request.id = 1); // as a socket would send it
 * queue.end(new Error("gone")); // a leave ends well: the room is left
 * await left; // { type: "left", id: undefined, room: "lobby" }
 * ```
 */
export class CommandQueue {
  readonly #room: string;
  readonly #requests = new Set<PendingCommand>();

  /** A queue for the commands of `room`. */
  constructor(room: string) {
    this.#room = room;
  }

  /** Queues `command`; settles with its answer. */
  add<C extends Command>(command: C): Promise<AnswerTo<C>> {
    const request = new PendingCommand(command);
    this.#requests.add(request);
    return request.promise as Promise<AnswerTo<C>>;
  }

  /** Hands `send` each command not on its way now, in order. */
  flush(send: (request: PendingCommand) => void): void {
    for (const request of this.#requests) {
      if (request.id === undefined) send(request);
    }
  }

  /**
   * The socket dropped: nothing is on its way any more. Whether a `leave`
   * was waiting (the drop has done what it asked).
   */
  dropped(): boolean {
    let leaving = false;
    for (const request of this.#requests) {
      request.id = undefined;
      if (request.command.type === "leave") leaving = true;
    }
    return leaving;
  }

  /** Whether `request` is one of these. */
  has(request: PendingCommand): boolean {
    return this.#requests.has(request);
  }

  /** Settles `request` with its answer. */
  answer(request: PendingCommand, event: ServerEvent): void {
    this.#requests.delete(request);
    request.answer(event);
  }

  /** Takes a refusal of `request`; whether it will be tried again. */
  refuse(request: PendingCommand, error: NatterError): boolean {
    if (request.refused(error)) return true;
    this.#requests.delete(request);
    return false;
  }

  /** Ends every command: a `leave` is done, the rest fail with `error`. */
  end(error: NatterError | ClosedError): void {
    for (const request of this.#requests) {
      if (request.command.type === "leave") {
        request.answer({ type: "left", id: undefined, room: this.#room });
      } else request.fail(error);
    }
    this.#requests.clear();
  }
}
