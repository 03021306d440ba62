/**
 * The upgrade gate: what a request to `/ws` or `/ws/{room}` must pass
 * before it becomes a WebSocket, in this order: the handshake and its Origin
 * (contract H4, H5), the cap on clients (`--max-connections`), the accept
 * rate (`--accept-rate`), the cap per address (`--max-connections-per-ip`),
 * the token, the room the token allows, room for one more room; then the
 * choice between natter.v1 and the plain chat (docs/protocol.md S1, contract
 * H6). The cheap checks come first: a request they refuse spends nothing of
 * the accept rate, and one the rate refuses costs no token verification.
 *
 * @module
 */

import { type Identity, mayJoin, TokenError, tokenOf } from "../auth/token.ts";
import { acceptRate } from "./accept_rate.ts";
import { checkHandshake } from "./handshake.ts";
import { Admission } from "./listen/admission.ts";
import { IpCounts, type IpSlots } from "./listen/ip_slots.ts";
import { originCheck } from "./origin.ts";
import { text } from "../ops/routes.ts";
import type { Rooms } from "../room/rooms.ts";
import type { ServerOptions } from "./server_options.ts";
import { DEFAULTS } from "../settings/settings.ts";

/** The WebSocket subprotocol of natter's structured protocol (S1). */
export const SUBPROTOCOL = "natter.v1";

/** The part of `serve`'s options the gate checks against. */
export type UpgradeGateOptions = Pick<
  ServerOptions,
  | "allowOrigins"
  | "acceptRate"
  | "maxConnections"
  | "maxConnectionsPerIp"
  | "ipSlots"
  | "verifier"
  | "log"
>;

/** Where an upgrade is headed and where it comes from. */
export interface UpgradeTarget {
  /** The request's URL, where a token may be (`?token=`). */
  url: URL;
  /** The room its path names. */
  room: string;
  /** The peer's address, counted against `maxConnectionsPerIp`. */
  ip: string;
}

/**
 * An upgrade the gate let through. It holds a client slot and a slot of its
 * address until {@linkcode Pass.upgraded} moves them onto the WebSocket;
 * disposing of a pass that was not upgraded gives them back.
 */
export interface Pass extends Disposable {
  /** Who the token says the client is; absent without a verifier. */
  readonly identity: Identity | undefined;
  /** The subprotocol to answer with: natter.v1 when offered, else none. */
  readonly protocol: typeof SUBPROTOCOL | undefined;
  /** The room a plain client joins; none for natter.v1, which joins later. */
  readonly room: string | undefined;
  /** Counts `socket` in the pass's place, until it closes. */
  upgraded(socket: WebSocket): void;
}

/**
 * Checks upgrades against one server's caps, token verifier and rooms.
 *
 * @example
 * ```ts
 * import { upgradeWebSocket } from "./listen/listen.ts";
 * import { Rooms } from "../room/rooms.ts";
 * import { MemoryStore } from "../store/memory.ts";
 *
 * declare const request: Request;
 * const gate = new UpgradeGate(new Rooms(new MemoryStore()), {
 *   maxConnections: 1000,
 * });
 * const url = new URL(request.url);
 * const target = { url, room: "lobby", ip: "10.0.0.1" };
 * const checked = await gate.check(request, target);
 * if (checked instanceof Response) {
 *   console.log(`refused with ${checked.status}`);
 * } else {
 *   using pass = checked;
 *   const { socket } = upgradeWebSocket(request, { protocol: pass.protocol });
 *   pass.upgraded(socket);
 * }
 * ```
 */
export class UpgradeGate {
  readonly #rooms: Rooms;
  readonly #originAllowed: (request: Request) => boolean;
  readonly #clients: Admission;
  /** Answers the 503 of a handshake over the accept rate, if it is. */
  readonly #overRate: () => Response | undefined;
  readonly #perIp?: IpSlots;
  readonly #verifier: ServerOptions["verifier"];

  /** A gate in front of `rooms`. */
  constructor(rooms: Rooms, options: UpgradeGateOptions = {}) {
    this.#rooms = rooms;
    this.#originAllowed = originCheck(options.allowOrigins);
    const maxClients = options.maxConnections ?? Infinity;
    this.#clients = new Admission(maxClients, {
      full: `${maxClients} clients connected, the most allowed ` +
        "(--max-connections): refusing new ones with 503 until some leave",
      log: options.log,
    });
    this.#overRate = acceptRate(
      options.acceptRate ?? DEFAULTS.acceptRate,
      { log: options.log },
    );
    const maxPerIp = options.maxConnectionsPerIp ??
      DEFAULTS.maxConnectionsPerIp;
    this.#perIp = options.ipSlots ??
      (maxPerIp > 0 ? new IpCounts(maxPerIp) : undefined);
    this.#verifier = options.verifier;
  }

  /**
   * Runs the checks for upgrading `request` into `target.room`.
   *
   * @returns the refusal to answer with (400, 401, 403, 405, 429 or 503,
   * the 503 of the accept rate with `Retry-After`),
   * or the pass of an upgrade that may go ahead.
   */
  async check(
    request: Request,
    target: UpgradeTarget,
  ): Promise<Pass | Response> {
    const refusal = checkHandshake(request, this.#originAllowed);
    if (refusal) {
      return text(refusal.status, refusal.message, {
        "sec-websocket-version": "13",
      });
    }
    if (!this.#clients.admits()) {
      return text(503, "Service Unavailable: too many connections");
    }
    const overRate = this.#overRate();
    if (overRate) return overRate;
    // The slots are held from here, before anything is awaited, so that
    // upgrades waiting on a token cannot all pass the caps at once; every
    // refusal below gives them back.
    const held = new HeldSlots(this.#clients);
    let passed = false;
    try {
      const perIp = this.#perIp;
      if (perIp) {
        if (!await perIp.take(target.ip)) {
          return text(429, `Too many connections from "${target.ip}"`);
        }
        held.holdIp(perIp, target.ip);
      }
      let identity: Identity | undefined;
      if (this.#verifier) {
        try {
          const token = tokenOf(request, target.url);
          if (token === undefined) {
            return text(401, "A token is needed", {
              "www-authenticate": "Bearer",
            });
          }
          identity = await this.#verifier(token);
        } catch (error) {
          if (!(error instanceof TokenError)) throw error;
          return text(401, error.message, { "www-authenticate": "Bearer" });
        }
      }
      const { room } = target;
      const structured = offersSubprotocol(request);
      if (!structured && !mayJoin(identity, room)) {
        return text(403, `The token does not allow room "${room}"`);
      }
      if (!structured && !this.#rooms.admits(room)) {
        return text(503, `Cannot open room "${room}": too many rooms`);
      }
      passed = true;
      return held.pass({
        identity,
        protocol: structured ? SUBPROTOCOL : undefined,
        room: structured ? undefined : room,
      });
    } finally {
      if (!passed) held[Symbol.dispose]();
    }
  }
}

/** Whether the client offered natter.v1 among its subprotocols (S1, H6). */
function offersSubprotocol(request: Request): boolean {
  const offered = request.headers.get("sec-websocket-protocol");
  if (offered === null) return false;
  return offered.split(",").some((p) => p.trim() === SUBPROTOCOL);
}

/** The slots one upgrade holds, from the first check to its WebSocket. */
class HeldSlots implements Disposable {
  readonly #clients: Admission;
  /** Stands for the WebSocket in the client count until there is one. */
  readonly #slot = {};
  /** The address's slot, once taken. */
  #ip?: { perIp: IpSlots; ip: string };
  #settled = false;

  /** Takes a client slot; the caller has seen that `clients` admits one. */
  constructor(clients: Admission) {
    this.#clients = clients;
    clients.add(this.#slot);
  }

  /** Holds the slot `perIp` gave `ip` as well. */
  holdIp(perIp: IpSlots, ip: string): void {
    this.#ip = { perIp, ip };
  }

  /** The pass that carries these slots on to the WebSocket. */
  pass(fields: Omit<Pass, "upgraded" | typeof Symbol.dispose>): Pass {
    return {
      ...fields,
      upgraded: (socket) => this.#upgraded(socket),
      [Symbol.dispose]: () => this[Symbol.dispose](),
    };
  }

  #upgraded(socket: WebSocket): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#clients.release(this.#slot);
    this.#clients.add(socket);
    const held = this.#ip;
    if (held) {
      // The address's slot goes back when the socket has closed, whether or
      // not a Client could be made for it.
      socket.addEventListener("close", () => held.perIp.give(held.ip), {
        once: true,
      });
    }
  }

  /** Gives the slots back, unless they went on to a WebSocket. */
  [Symbol.dispose](): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#clients.release(this.#slot);
    this.#ip?.perIp.give(this.#ip.ip);
  }
}
