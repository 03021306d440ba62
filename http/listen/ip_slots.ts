/**
 * The per-address cap (`--max-connections-per-ip`): how many connections each
 * remote address holds, counted where every connection of the process is
 * seen. One server counts for itself; the workers of a cluster ask the main
 * thread, which counts for all of them, over their message channel.
 *
 * @module
 */

/** Takes and gives back connection slots for remote addresses. */
export interface IpSlots {
  /**
   * Takes a slot for `ip` now, before the promise settles; `false` (and no
   * slot taken) when `ip` holds the most allowed already.
   */
  take(ip: string): boolean | Promise<boolean>;
  /** Gives back a slot taken for `ip`. */
  give(ip: string): void;
}

/**
 * Counts slots per address under a cap, in this thread.
 *
 * @example
 * ```ts
 * declare const socket: WebSocket;
 * const slots = new IpCounts(2);
 * const ip = "10.0.0.1";
 * if (slots.take(ip)) {
 *   socket.addEventListener("close", () => slots.give(ip), { once: true });
 * } else {
 *   socket.close(1008, `Too many connections from "${ip}"`);
 * }
 * ```
 */
export class IpCounts implements IpSlots {
  readonly #max: number;
  readonly #counts = new Map<string, number>();

  /** Allows `max` slots per address (`Infinity` only tallies them). */
  constructor(max: number) {
    if (!(max >= 1)) {
      throw new RangeError(`Cannot cap connections per IP at "${max}"`);
    }
    this.#max = max;
  }

  /** Takes a slot for `ip` unless it holds `max` already. */
  take(ip: string): boolean {
    const held = this.#counts.get(ip) ?? 0;
    if (held >= this.#max) return false;
    this.#counts.set(ip, held + 1);
    return true;
  }

  /** Gives back a slot for `ip`; harmless when it holds none. */
  give(ip: string): void {
    const left = (this.#counts.get(ip) ?? 0) - 1;
    if (left > 0) this.#counts.set(ip, left);
    else this.#counts.delete(ip);
  }

  /** The slots held now, by address. */
  entries(): [string, number][] {
    return [...this.#counts];
  }
}

/** A worker's request to the main thread's {@linkcode IpCounts}. */
export type IpCall =
  | { type: "ip"; op: "take"; id: number; ip: string }
  | { type: "ip"; op: "give"; ip: string };

/** The main thread's answer to a `take`. */
export interface IpAnswer {
  type: "ip-answer";
  id: number;
  ok: boolean;
}

/**
 * Slots counted in another thread: each `take` posts an {@linkcode IpCall}
 * and waits for its {@linkcode IpAnswer}, which the owner of the channel
 * hands to {@linkcode RemoteIpSlots.receive}.
 */
export class RemoteIpSlots implements IpSlots {
  readonly #post: (call: IpCall) => void;
  readonly #waiting = new Map<number, (ok: boolean) => void>();
  #next = 0;

  /** Sends calls with `post`. */
  constructor(post: (call: IpCall) => void) {
    this.#post = post;
  }

  /** Asks the other thread for a slot for `ip`. */
  take(ip: string): Promise<boolean> {
    const id = this.#next++;
    const answer = Promise.withResolvers<boolean>();
    this.#waiting.set(id, answer.resolve);
    this.#post({ type: "ip", op: "take", id, ip });
    return answer.promise;
  }

  /** Tells the other thread a slot of `ip` is free. */
  give(ip: string): void {
    this.#post({ type: "ip", op: "give", ip });
  }

  /** Settles the `take` that `answer` answers. */
  receive(answer: IpAnswer): void {
    this.#waiting.get(answer.id)?.(answer.ok);
    this.#waiting.delete(answer.id);
  }
}

/**
 * The main thread's side: answers one thread's calls from the shared
 * `counts`, and tallies what that thread holds so that all of it can be
 * given back when the thread dies ({@linkcode IpHost.giveBackAll}).
 */
export class IpHost {
  readonly #counts: IpCounts;
  readonly #held = new IpCounts(Infinity);

  /** Answers from `counts`, which other threads' hosts share. */
  constructor(counts: IpCounts) {
    this.#counts = counts;
  }

  /** Handles `call`; a `take` is answered through `reply`. */
  handle(call: IpCall, reply: (answer: IpAnswer) => void): void {
    if (call.op === "give") {
      this.#held.give(call.ip);
      return this.#counts.give(call.ip);
    }
    const ok = this.#counts.take(call.ip);
    if (ok) this.#held.take(call.ip);
    reply({ type: "ip-answer", id: call.id, ok });
  }

  /** Gives back every slot the thread still holds. */
  giveBackAll(): void {
    for (const [ip, n] of this.#held.entries()) {
      for (let i = 0; i < n; i++) {
        this.#held.give(ip);
        this.#counts.give(ip);
      }
    }
  }
}
