/**
 * natter's client library: natter.v1 over the platform's WebSocket, for
 * browsers, Deno and Node 22 or later, with nothing else to download.
 *
 * {@linkcode connect} opens a connection, and `client.join` enters a room.
 * A room holds the history it joined with (`backlog`), its members, and
 * every later message, each once and in order, through `for await` or
 * `message` events. When the connection drops, the client reconnects after
 * a jittered, growing wait, rejoins every room from the last message seen,
 * and says in `room.recovered` (and a `recovery` event) whether it missed
 * anything; sends still waiting for their answer are sent again with the
 * same key, so that the server posts each once.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 *
 * const client = await connect("ws://localhost:8080/ws");
 * const room = await client.join("lobby", { nick: "ada" });
 * for (const m of room.backlog) console.log(`<${m.from.nick}> ${m.text}`);
 * await room.send("hello, lobby");
 * for await (const m of room) {
 *   if (!room.mine(m)) console.log(`<${m.from.nick ?? "anonymous"}> ${m.text}`);
 * }
 * ```
 *
 * @module
 */

export {
  type ClientEventMap,
  connect,
  type ConnectOptions,
  type Drop,
  NatterClient,
} from "./client.ts";
export { Room } from "./room.ts";
export type {
  JoinOptions,
  Presence,
  Recovery,
  RoomEventMap,
} from "./room_events.ts";
export {
  ClosedError,
  type ErrorCode,
  isErrorCode,
  NatterError,
} from "./errors.ts";
export type { Member, Message, Position } from "./frames.ts";
export type { BackoffOptions } from "./backoff.ts";
export type { WebSocketConstructor } from "./connection.ts";
export { type Listener, TypedTarget } from "./typed_target.ts";
