/**
 * The Redis store's two connections (commands, and pub/sub), its scripts,
 * and whether it is ready: Redis answers, and the rooms have been brought up
 * to date since it last came back.
 *
 * The connections fail fast rather than queue: while Redis is away a
 * command is refused at once (natter answers `unavailable`), a command in
 * flight when it goes is failed, not sent again, and one that Redis does
 * not answer within two seconds is failed too. node-redis reconnects by
 * itself, every second at most, and resubscribes before it is ready.
 *
 * @module
 */

import { createClient, type RedisClientType } from "@redis/client";
import { APPEND, PRESENCE, READ, TOUCH } from "./redis_scripts.ts";

/** The store's Lua scripts, each with how many keys it takes. */
export const SCRIPTS = {
  append: { lua: APPEND, keys: 5 },
  touch: { lua: TOUCH, keys: 5 },
  presence: { lua: PRESENCE, keys: 5 },
  read: { lua: READ, keys: 2 },
} as const;

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
  onMessage: (payload: string, channel: string) => void;
}

/** How long a PING may be ago for the link to count as ready. */
const PONG_WITHIN = 2500;
/** How long Redis may take to answer a command. */
const COMMAND_TIMEOUT = 2000;

/** The store's connections to one Redis. */
export class RedisLink {
  readonly #redis: RedisClientType;
  readonly #sub: RedisClientType;
  readonly #where: string;
  readonly #options: RedisLinkOptions;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #shas = new Map<string, string>();
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
    const client = () =>
      createClient({
        url,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: COMMAND_TIMEOUT,
          reconnectStrategy: (retries) => Math.min(100 * (retries + 1), 1000),
        },
      }) as RedisClientType;
    this.#redis = client();
    this.#sub = client();
    for (const connection of [this.#redis, this.#sub]) {
      connection.on("error", (error: Error) => this.#down(error.message));
      connection.on("reconnecting", () => this.#down("reconnecting"));
      connection.on("ready", () => this.#up());
      // It retries by itself; the first failure is logged through "error".
      connection.connect().catch(() => {});
    }
    this.#timer = setInterval(() => this.#check(), 1000);
    Deno.unrefTimer(Number(this.#timer));
  }

  /** Whether both connections are up. */
  get up(): boolean {
    return this.#redis.isReady && this.#sub.isReady;
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

  /** Sends one command; fails at once while Redis is away. */
  command<T>(args: (string | number)[]): Promise<T> {
    return this.#redis.sendCommand(args.map(String), {
      timeout: COMMAND_TIMEOUT,
    }) as Promise<T>;
  }

  /** Runs one of {@linkcode SCRIPTS} by its SHA, loading it when unknown. */
  async script<T>(
    name: keyof typeof SCRIPTS,
    ...args: (string | number)[]
  ): Promise<T> {
    const { lua, keys } = SCRIPTS[name];
    let sha = this.#shas.get(name);
    if (sha === undefined) this.#shas.set(name, sha = await sha1(lua));
    try {
      return await this.command(["EVALSHA", sha, keys, ...args]);
    } catch (error) {
      if (!(error as Error).message?.startsWith("NOSCRIPT")) throw error;
      // Redis restarted, or never saw it: EVAL loads it too.
      return await this.command(["EVAL", lua, keys, ...args]);
    }
  }

  /** Subscribes to `channel`. */
  async subscribe(channel: string): Promise<void> {
    await this.#sub.subscribe(channel, this.#options.onMessage);
  }

  /** Unsubscribes from `channel`. */
  async unsubscribe(channel: string): Promise<void> {
    await this.#sub.unsubscribe(channel);
  }

  /** Disconnects both connections. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#closing = true;
    for (const connection of [this.#redis, this.#sub]) {
      if (connection.isOpen) connection.destroy();
    }
    await Promise.resolve();
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
      await this.command(["PING"]);
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
    if (this.#upSince === 0) this.#upSince = Date.now();
    if (!this.#synced) return void this.#sync();
    this.command(["PING"]).then(() => this.#lastPong = Date.now(), () => {});
  }
}

/** The hex SHA-1 of `text`, as Redis names a script. */
async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(text),
  );
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
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
