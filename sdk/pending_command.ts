/**
 * A command waiting for its answer. It outlives sockets: one dropped before
 * the answer came is sent again on the next socket (a `send` with the same
 * key), until it is answered, refused, or given up.
 *
 * @module
 */

import type { ClosedError, ErrorCode, NatterError } from "./errors.ts";
import type { Command, ServerEvent } from "./frames.ts";

/**
 * The server's budget a command draws on (docs: "Limits and budgets"):
 * joins and leaves, sends, and reads of history and members.
 */
export type Budget = "join" | "send" | "read";

/** The event that answers each command. */
type Answers = {
  join: "joined";
  send: "ack";
  leave: "left";
  history: "history";
  members: "members";
};

/** The answer to the command `C`. */
export type AnswerTo<C extends Command> = Extract<
  ServerEvent,
  { type: Answers[C["type"]] }
>;

/** How many times a command refused for a passing reason is tried again. */
export const MAX_STRIKES = 8;

/** Codes that say "not now": the command did nothing and may be retried. */
const PASSING: readonly ErrorCode[] = ["rate_limited", "unavailable"];

/**
 * One command and the promise of its answer.
 *
 * @example
 * ```ts
 * const request = new PendingCommand({ type: "leave", room: "lobby" });
 * request.answer({ type: "left", id: 1, room: "lobby" });
 * await request.promise; // { type: "left", id: 1, room: "lobby" }
 * ```
 */
export class PendingCommand {
  /** What is sent (without its id). */
  readonly command: Command;
  /** The budget it draws on. */
  readonly budget: Budget;
  /** Settles with the answer, or the error that refused it. */
  readonly promise: Promise<ServerEvent>;
  /** Its id on the socket it was last sent on; none while it waits. */
  id?: number;
  /** How many times it was refused for a passing reason. */
  strikes = 0;
  #done = false;
  #resolve!: (event: ServerEvent) => void;
  #reject!: (error: Error) => void;
  readonly #passing: readonly ErrorCode[];

  /**
   * A request for `command`; `passing` are the codes after which it is
   * tried again (by default `rate_limited` and `unavailable`).
   */
  constructor(command: Command, passing: readonly ErrorCode[] = PASSING) {
    this.command = command;
    this.budget = command.type === "send"
      ? "send"
      : command.type === "history" || command.type === "members"
      ? "read"
      : "join";
    this.#passing = passing;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A caller that never awaits must not see an unhandled rejection.
    this.promise.catch(() => {});
  }

  /** Whether it was answered, refused or given up. */
  get done(): boolean {
    return this.#done;
  }

  /** The event type that answers it. */
  get answerType(): ServerEvent["type"] {
    const answers: Answers = {
      join: "joined",
      send: "ack",
      leave: "left",
      history: "history",
      members: "members",
    };
    return answers[this.command.type];
  }

  /** Settles it with its answer, an event of type {@linkcode answerType}. */
  answer(event: ServerEvent): void {
    if (this.#done) return;
    this.#done = true;
    this.id = undefined;
    this.#resolve(event);
  }

  /**
   * Takes a refusal: `true` when it is to be tried again later (a passing
   * reason, not too many times yet); otherwise it is rejected.
   */
  refused(error: NatterError): boolean {
    if (this.#done) return false;
    this.id = undefined;
    if (this.#passing.includes(error.code) && ++this.strikes <= MAX_STRIKES) {
      return true;
    }
    this.fail(error);
    return false;
  }

  /** Rejects it with `error` (a {@linkcode ClosedError} when it ended). */
  fail(error: NatterError | ClosedError): void {
    if (this.#done) return;
    this.#done = true;
    this.id = undefined;
    this.#reject(error);
  }
}
