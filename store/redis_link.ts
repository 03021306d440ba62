/**
 * The Redis store's two connections (commands, and pub/sub), its scripts,
 * and whether it is ready: Redis answers, and the rooms have been brought up
 * to date since it last came back.
 *
 * The connections fail fast rather than queue: while Redis is away a
 * command is refused at once (natter answers `unavailable`), a command in
 * flight when it goes is failed, not sent again, and one that Redis does
 * not answer within two seconds is failed too. ioredis reconnects by
 * itself, every second at most, and resubscribes.
 *
 * @module
 */

import { Redis, type RedisOptions } from "ioredis";
import { APPEND, PRESENCE, READ, TOUCH } from "./redis_scripts.ts";

/** The store's Lua scripts as commands (EVALSHA, with EVAL when unknown). */
export interface RedisScripts {
  /** See `APPEND`. */
  natterAppend(
    ...args: (string | number)[]
  ): Promise<[string, number, string[]]>;
  /** See `TOUCH`. */
  natterTouch(...args: (string | number)[]): Promise<[string, number]>;
  /** See `PRESENCE`. */
  natterPresence(...args: (string | number)[]): Promise<number>;
  /** See `READ`. */
  natterRead(
    ...args: (string | number)[]
  ): Promise<[string, number, number, string[]]>;
}

/** Options for {@linkcode RedisLink}. */
export interface RedisLinkOptions {
  /** Where to report Redis coming and going. */
  log: (line: string) => void;
  /**
   * Brings the rooms up to date once both connections are up (again).
   * @returns whether it succeeded; it is retried every second until then.
   */
  onReady: () => Promise<boolean>;
  /** A message on a subscribed channel. */
  onMessage: (channel: string, payload: string) => void;
}

/** How long a PING may be ago for the link to count as ready. */
const PONG_WITHIN = 2500;

const CLIENT_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(100 * times, 1000),
};

/** The store's connections to one Redis. */
export class RedisLink {
  /** Commands and scripts. */
  readonly redis: Redis;
  /** Subscriptions. */
  readonly sub: Redis;
  readonly #where: string;
  readonly #options: RedisLinkOptions;
  readonly #timer: ReturnType<typeof setInterval>;
  #upSince = 0;
  #lastPong = 0;
  #synced = false;
  #syncing = false;
  /** Whether the current outage has been logged. */
  #reported = false;
  #ever = false;
  #closing = false;

  /** Connects to `url` in the background. */
  constructor(url: string, options: RedisLinkOptions) {
    this.#options = options;
    this.#where = describe(url);
    this.redis = new Redis(url, CLIENT_OPTIONS);
    this.sub = new Redis(url, CLIENT_OPTIONS);
    this.redis.defineCommand("natterAppend", { numberOfKeys: 4, lua: APPEND });
    this.redis.defineCommand("natterTouch", { numberOfKeys: 4, lua: TOUCH });
    this.redis.defineCommand("natterPresence", {
      numberOfKeys: 4,
      lua: PRESENCE,
    });
    this.redis.defineCommand("natterRead", { numberOfKeys: 2, lua: READ });
    for (const connection of [this.redis, this.sub]) {
      connection.on("error", (error: Error) => this.#down(error.message));
      connection.on("close", () => this.#down("the connection was lost"));
      connection.on("ready", () => this.#up());
    }
    this.sub.on("message", options.onMessage);
    this.#timer = setInterval(() => this.#check(), 1000);
    Deno.unrefTimer(Number(this.#timer));
  }

  /** The scripts, as commands of {@linkcode RedisLink.redis}. */
  get scripts(): RedisScripts {
    return this.redis as unknown as RedisScripts;
  }

  /** Whether both connections are up. */
  get up(): boolean {
    return this.redis.status === "ready" && this.sub.status === "ready";
  }

  /** Milliseconds since both connections came up; 0 while one is down. */
  upFor(): number {
    return this.up && this.#upSince > 0 ? Date.now() - this.#upSince : 0;
  }

  /** Whether the store can serve: Redis answers and the rooms are synced. */
  ready(): boolean {
    return this.up && this.#synced &&
      Date.now() - this.#lastPong < PONG_WITHIN;
  }

  /** Disconnects both connections. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#closing = true;
    await Promise.allSettled([this.redis.quit(), this.sub.quit()]);
    this.redis.disconnect();
    this.sub.disconnect();
  }

  #down(why: string): void {
    this.#upSince = 0;
    this.#synced = false;
    if (this.#reported || this.#closing) return;
    this.#reported = true;
    this.#options.log(
      `Redis at "${this.#where}" is unreachable: ${why}; not ready until it is back`,
    );
  }

  #up(): void {
    if (!this.up || this.#upSince > 0) return;
    this.#upSince = Date.now();
    this.#sync();
  }

  async #sync(): Promise<void> {
    if (this.#syncing) return;
    this.#syncing = true;
    try {
      // Queued behind the resubscriptions: once answered, they hold.
      await this.sub.ping();
      await this.redis.ping();
      this.#lastPong = Date.now();
      if (!await this.#options.onReady()) return;
      this.#synced = this.up;
      if (this.#synced && (this.#reported || !this.#ever)) {
        this.#reported = false;
        this.#ever = true;
        this.#options.log(`Redis at "${this.#where}" is reachable: ready`);
      }
    } catch {
      // Tried again by the next check.
    } finally {
      this.#syncing = false;
    }
  }

  #check(): void {
    if (!this.up) return;
    if (!this.#synced) return void this.#sync();
    this.redis.ping().then(() => this.#lastPong = Date.now(), () => {});
  }
}

/** Where `url` points, without its credentials, for the logs. */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}
