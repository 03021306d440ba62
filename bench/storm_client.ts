/**
 * One join attempt of the storm benchmarks: open a natter.v1 connection,
 * send `join`, and wait for the reply (docs/protocol.md C1), within a
 * deadline. Every way it can fail becomes a short kind for the report.
 *
 * @module
 */

import { now } from "./open.ts";
import { errorCode, joinedAt } from "./storm_frames.ts";

/** What {@linkcode joinRoom} needs. */
export interface JoinRequest {
  /** The server's WebSocket URL, for example `ws://127.0.0.1:8080/ws`. */
  url: string;
  room: string;
  nick: string;
  /** Recover from here (C2); left out, the join replays the latest messages. */
  since?: { epoch: string; offset: number };
  /** Milliseconds from the attempt's start until it fails as `timeout`. */
  timeout: number;
}

/** A join that was answered with `joined`. */
export interface Joined {
  /** The open connection, a member of the room. */
  socket: WebSocket;
  /** The frame that holds the `joined` reply. */
  frame: string;
  /** Where the reply begins in `frame`. */
  at: number;
  /** When the attempt started and when the reply came, as `now()`. */
  started: number;
  answered: number;
}

/** A join that failed, and how: see {@linkcode failureKind}. */
export interface Failed {
  failure: string;
}

/**
 * The short kind of a failed handshake's error message, so that the report
 * groups them: `http 503` for a refused upgrade, the message otherwise.
 *
 * @example
 * ```ts
 * failureKind("NetworkError: failed to connect to WebSocket: Invalid status code: 503");
 * // "http 503"
 * ```
 */
export function failureKind(message: string): string {
  const status = /status code:? (\d{3})/i.exec(message);
  if (status) return `http ${status[1]}`;
  const text = message.replace(
    /^NetworkError: failed to connect to WebSocket: /,
    "",
  );
  return `error: ${text.slice(0, 60)}`;
}

/**
 * Opens a natter.v1 connection to `request.url` and joins `request.room`.
 * The attempt fails on an error, a close, an `error` reply (`join:
 * room_full`) or no reply before `request.timeout`; its socket is then
 * closed. A joined socket is handed to `adopt` with no handlers, inside
 * the event that brought the reply: `adopt` sets its handlers there and
 * then. After an `await` it would be too late, since the next frame, or
 * the close, may be dispatched first and be lost.
 *
 * @example
 * ```ts
 * const outcome = await joinRoom({
 *   url: "ws://127.0.0.1:8080/ws",
 *   room: "storm",
 *   nick: "u1",
 *   timeout: 30_000,
 * }, ({ socket }) => {
 *   socket.onmessage = (event) => console.log(event.data);
 * });
 * if ("failure" in outcome) console.log(outcome.failure);
 * ```
 */
export function joinRoom(
  request: JoinRequest,
  adopt: (joined: Joined) => void,
): Promise<Joined | Failed> {
  const started = now();
  const socket = new WebSocket(request.url, "natter.v1");
  return new Promise((resolve) => {
    const settle = (outcome: Joined | Failed) => {
      clearTimeout(timer);
      socket.onopen =
        socket.onmessage =
        socket.onerror =
        socket.onclose =
          null;
      if ("socket" in outcome) adopt(outcome);
      else if (socket.readyState <= WebSocket.OPEN) socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => settle({ failure: "timeout" }),
      request.timeout,
    );
    socket.onopen = () => {
      const { room, nick, since } = request;
      socket.send(JSON.stringify({ type: "join", id: 1, room, nick, since }));
    };
    socket.onmessage = (event) => {
      const frame = String(event.data);
      const at = joinedAt(frame);
      if (at !== -1) {
        return settle({ socket, frame, at, started, answered: now() });
      }
      const code = errorCode(frame);
      if (code !== undefined) settle({ failure: `join: ${code}` });
      // Anything else before the reply is not the reply: wait on.
    };
    socket.onerror = (event) =>
      settle({ failure: failureKind((event as ErrorEvent).message ?? "") });
    socket.onclose = (event) => settle({ failure: `closed ${event.code}` });
  });
}
