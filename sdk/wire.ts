/**
 * The seam between a room and the client that carries its commands: what a
 * {@linkcode Room} asks of the client (`Wire`), and what the client tells
 * the room (`RoomPort`). A room can be driven through it without a socket.
 *
 * @module
 */

import type { NatterError } from "./errors.ts";
import type { MessageEvent, PresenceEvent, ServerEvent } from "./frames.ts";
import type { PendingCommand } from "./pending_command.ts";
import type { Room } from "./room.ts";

/** What a room needs of its client. */
export interface Wire {
  /** Takes the room's port: from now on the client drives it. */
  attach(room: Room, port: RoomPort): void;
  /**
   * Sends `request` now, if a socket is open and its budget is not paused;
   * otherwise it waits for the next {@linkcode RoomPort.flush}.
   */
  trySend(request: PendingCommand): void;
  /** Remembers `client` as an id of one of this client's connections. */
  own(client: string): void;
  /** Whether `client` is an id of one of this client's connections. */
  isOwn(client: string): boolean;
  /** The room ended: forget it. */
  forget(room: Room): void;
}

/** What the client tells a room. */
export interface RoomPort {
  /** Send what may be sent: the join, or the commands that wait. */
  flush(): void;
  /** The socket dropped: nothing is in flight any more. */
  down(): void;
  /** A message or presence event of the room. */
  event(event: MessageEvent | PresenceEvent): void;
  /** The answer to one of the room's requests. */
  answer(request: PendingCommand, event: ServerEvent): void;
  /** A refusal of one of its requests; whether it will be tried again. */
  refuse(request: PendingCommand, error: NatterError): boolean;
  /** The client is closing: reject what waits with `error`. */
  end(error: Error): void;
}
