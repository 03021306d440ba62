/**
 * Which protocol a connection speaks, and its session: a plain one for a
 * connection that chose a room by its path (R2), a natter.v1 one for a
 * connection that speaks natter.v1 (S1). Both are given the connection's
 * rate of messages, one token bucket for all its rooms.
 *
 * @module
 */

import type {
  ClientOptions,
  Connection,
} from "../connection/client_options.ts";
import type { Link, Session } from "../connection/link.ts";
import { TokenBucket } from "../util/bucket.ts";
import { PlainSession } from "./plain.ts";
import { Session as NatterSession } from "./session.ts";
import { withDefaults } from "../settings/with_defaults.ts";

/**
 * The session of the connection behind `link`.
 *
 * @example
 * ```ts
 * import { Rooms } from "../room/rooms.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * import type { Link } from "../connection/link.ts";
 * declare const link: Link;
 *
 * const rooms = new Rooms(new MemoryStore());
 * const session = openSession(link, { id: link.id, rooms, room: "lobby" });
 * session.open();
 * ```
 */
export function openSession(
  link: Link,
  connection: Connection,
  options: ClientOptions = {},
): Session {
  const o = withDefaults(options);
  const limit = o.rateLimit;
  // An unset burst (or 0, "unset" in the configuration) is the rate.
  const rate = limit > 0
    ? new TokenBucket(limit, options.rateBurst || Math.max(1, limit))
    : undefined;
  const { identity, room, rooms } = connection;
  if (room === undefined) {
    return new NatterSession(link, rooms, options, { identity, rate });
  }
  const user = identity?.user;
  return new PlainSession(link, {
    room,
    member: user === undefined
      ? { client: link.id, nick: null }
      : { client: link.id, nick: null, user },
    rooms,
    maxMessageSize: o.maxMessageSize,
    rate,
  });
}
