/**
 * What a natter client rejects with: {@linkcode NatterError} when the server
 * refused a command (an `error` event and its code), {@linkcode ClosedError}
 * when the client or the room ended before the command was answered.
 *
 * @module
 */

/** The codes of natter.v1's `error` event, each a reason a program can act on. */
export type ErrorCode =
  | "bad_request"
  | "unknown_type"
  | "invalid_room"
  | "invalid_nick"
  | "not_joined"
  | "already_joined"
  | "too_big"
  | "room_full"
  | "too_many_rooms"
  | "rate_limited"
  | "unauthorized"
  | "forbidden"
  | "unavailable";

/** Every {@linkcode ErrorCode}, for checking a code that came off the wire. */
export const ERROR_CODES: readonly ErrorCode[] = [
  "bad_request",
  "unknown_type",
  "invalid_room",
  "invalid_nick",
  "not_joined",
  "already_joined",
  "too_big",
  "room_full",
  "too_many_rooms",
  "rate_limited",
  "unauthorized",
  "forbidden",
  "unavailable",
];

/**
 * Whether `value` is one of the error codes this client knows.
 *
 * @example
 * ```ts
 * isErrorCode("too_big"); // true
 * isErrorCode("on_fire"); // false
 * ```
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value);
}

/**
 * The server refused a command: `code` says why, for programs; `message` is
 * the server's words, for people.
 *
 * @example
 * ```ts
 * import { connect, NatterError } from "./mod.ts";
 *
 * const client = await connect("ws://localhost:8080/ws");
 * const room = await client.join("lobby", { nick: "ada" });
 * try {
 *   await room.send("x".repeat(10_000));
 * } catch (error) {
 *   if (error instanceof NatterError && error.code === "too_big") {
 *     console.log("Shorten it");
 *   } else throw error;
 * }
 * ```
 */
export class NatterError extends Error {
  /** Why the server refused (E3). */
  readonly code: ErrorCode;

  /** An error for `code`, with the server's `message`. */
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "NatterError";
    this.code = code;
  }
}

/**
 * A command was still waiting for its answer when the client was closed or
 * its room was left: it may or may not have taken effect.
 *
 * @example
 * ```ts
 * import { ClosedError, connect } from "./mod.ts";
 *
 * const client = await connect("ws://localhost:8080/ws");
 * const room = await client.join("lobby");
 * const sent = room.send("bye");
 * await client.close();
 * await sent.catch((error) => {
 *   if (!(error instanceof ClosedError)) throw error;
 * });
 * ```
 */
export class ClosedError extends Error {
  /** An error saying what ended. */
  constructor(message: string) {
    super(message);
    this.name = "ClosedError";
  }
}
