/**
 * Every close natter sends a peer: a WebSocket close code and a reason that
 * names the cause (D5), in one place, for the Hub, the Client and the
 * natter.v1 Session alike.
 *
 * @module
 */

/** How a client is told to close. */
export interface CloseReason {
  /** A WebSocket close code, for example 1008. */
  code: number;
  /** A short reason for the peer, at most 123 bytes of UTF-8. */
  reason: string;
}

/** The close sent to a client evicted because its queue was full (A5, D5). */
export const QUEUE_FULL: CloseReason = {
  code: 1008,
  reason: "send queue full",
};

/** The close sent to every member still registered when the Hub closes. */
export const GOING_AWAY: CloseReason = {
  code: 1001,
  reason: "server shutting down",
};

/** The close of a plain member whose room cannot take it or its message. */
export const ROOM_FULL: CloseReason = { code: 1013, reason: "room is full" };

/** The close of a plain member whose message the store did not take. */
export const UNAVAILABLE: CloseReason = {
  code: 1013,
  reason: "message store unavailable",
};

/**
 * The close of every member when the room's stream lost its continuity (a
 * store that came back empty): they rejoin and learn it is a new epoch.
 */
export const HISTORY_RESET: CloseReason = {
  code: 1012,
  reason: "room history was reset; rejoin",
};

/** The close sent to a peer whose socket made no progress for the write wait. */
export const WRITE_TIMEOUT: CloseReason = {
  code: 1008,
  reason: "write timeout",
};

/** The close of a connection that sent a binary frame (D3). */
export const BINARY: CloseReason = {
  code: 1003,
  reason: "binary messages are not supported",
};

/** The close of a plain connection whose message is over the limit (I3). */
export const TOO_BIG: CloseReason = { code: 1009, reason: "message too big" };

/** The close of a plain client whose room cannot be opened. */
export const TOO_MANY_ROOMS: CloseReason = {
  code: 1013,
  reason: "too many rooms",
};

/** The close of a plain client over `--rate-limit`. */
export const RATE_LIMITED: CloseReason = {
  code: 1008,
  reason: "rate limit exceeded",
};

/** The close of a connection silent past `--first-frame-timeout`. */
export const SILENT: CloseReason = { code: 1008, reason: "no message in time" };

/** The close of a connection whose token's `exp` has passed. */
export const TOKEN_EXPIRED: CloseReason = {
  code: 1008,
  reason: "token expired",
};

/** The close of a connection natter failed on: the error was logged. */
export const INTERNAL_ERROR: CloseReason = {
  code: 1011,
  reason: "internal error",
};

/** The close of a connection that sent a frame far past the command limit. */
export const FRAME_TOO_BIG: CloseReason = {
  code: 1009,
  reason: "message too big",
};

/** The close of a connection that keeps sending what is refused. */
export const TOO_MANY_REFUSED: CloseReason = {
  code: 1008,
  reason: "too many refused commands",
};

/**
 * The close of the sender with the most messages waiting in a room's
 * intake when too many wait (see room/intake.ts).
 */
export const TOO_FAST: CloseReason = { code: 1008, reason: "sending too fast" };

/**
 * The close of a connection the admin API removes, with the operator's
 * reason (already cut to the 123 bytes a close reason may hold).
 *
 * @example
 * ```ts
 * removed("spam").code; // 1008
 * ```
 */
export function removed(reason = "removed by the server"): CloseReason {
  return { code: 1008, reason };
}

/** The close of every client when natter restarts (SIGTERM): 1012. */
export const SERVICE_RESTART: CloseReason = {
  code: 1012,
  reason: "service restart",
};
