/**
 * A store in another thread: {@linkcode RemoteStore} forwards every call
 * over a message port to {@linkcode StoreHost}, which answers from a real
 * store. The workers of `--workers N` share the main thread's store this
 * way, so each room has one offset sequence and one order for all of them;
 * the host feeds every worker that opened a room each message appended to
 * it, whichever worker sent it.
 *
 * @module
 */

import type {
  Draft,
  Feed,
  Member,
  Position,
  Replay,
  Store,
  StoredMessage,
} from "./store.ts";

/** A store call on its way to the host. */
export interface StoreCall {
  type: "store";
  call: number;
  method: Exclude<keyof Store, "open"> | "open";
  args: unknown[];
}

/** What the host sends back: a call's answer, or a room's messages. */
export type StoreAnswer =
  | { type: "answer"; call: number; value?: unknown; error?: string }
  | { type: "feed"; room: string; messages: readonly StoredMessage[] };

/**
 * A {@linkcode Store} whose data lives behind `post`; hand it every
 * {@linkcode StoreAnswer} that arrives with {@linkcode RemoteStore.receive}.
 */
export class RemoteStore implements Store {
  readonly #post: (call: StoreCall) => void;
  readonly #calls = new Map<number, PromiseWithResolvers<unknown>>();
  readonly #feeds = new Map<string, Feed>();
  #next = 0;

  /** Creates a store that sends its calls with `post`. */
  constructor(post: (call: StoreCall) => void) {
    this.#post = post;
  }

  /** Handles an answer or a feed from the host. */
  receive(answer: StoreAnswer): void {
    if (answer.type === "feed") {
      return this.#feeds.get(answer.room)?.(answer.messages);
    }
    const pending = this.#calls.get(answer.call);
    if (!pending) return;
    this.#calls.delete(answer.call);
    if (answer.error !== undefined) pending.reject(new Error(answer.error));
    else pending.resolve(answer.value);
  }

  open(room: string, feed: Feed): Promise<Position> {
    this.#feeds.set(room, feed);
    return this.#call("open", [room]);
  }

  append(room: string, drafts: readonly Draft[]): Promise<StoredMessage[]> {
    // Only what the store needs crosses the thread boundary.
    const plain = drafts.map(({ text, from }) => ({ text, from }));
    return this.#call("append", [room, plain]);
  }

  replay(
    room: string,
    upTo: number,
    options: { since?: Position; limit: number },
  ): Promise<Replay> {
    return this.#call("replay", [room, upTo, options]);
  }

  before(
    room: string,
    before: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    return this.#call("before", [room, before, limit]);
  }

  updatePresence(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<void> {
    return this.#call("updatePresence", [room, joined, left]);
  }

  presence(room: string): Promise<Member[]> {
    return this.#call("presence", [room]);
  }

  close(room: string): Promise<void> {
    this.#feeds.delete(room);
    return this.#call("close", [room]);
  }

  #call<T>(method: StoreCall["method"], args: unknown[]): Promise<T> {
    const call = ++this.#next;
    const pending = Promise.withResolvers<unknown>();
    this.#calls.set(call, pending);
    this.#post({ type: "store", call, method, args });
    return pending.promise as Promise<T>;
  }
}

/**
 * Serves a {@linkcode Store} to several {@linkcode RemoteStore}s, each
 * reached through its own `post`.
 */
export class StoreHost {
  readonly #store: Store;
  /** Which peers opened each room. */
  readonly #openers = new Map<string, Set<(a: StoreAnswer) => void>>();

  /** Creates a host for `store`. */
  constructor(store: Store) {
    this.#store = store;
  }

  /** Answers one call from the peer reached through `post`. */
  async handle(
    call: StoreCall,
    post: (answer: StoreAnswer) => void,
  ): Promise<void> {
    const [room] = call.args as [string];
    try {
      const value = await this.#run(call, room, post);
      post({ type: "answer", call: call.call, value });
    } catch (error) {
      post({
        type: "answer",
        call: call.call,
        error: (error as Error).message,
      });
    }
  }

  #run(
    call: StoreCall,
    room: string,
    post: (answer: StoreAnswer) => void,
  ): Promise<unknown> {
    const store = this.#store;
    const args = call.args as never[];
    switch (call.method) {
      case "open": {
        let openers = this.#openers.get(room);
        if (!openers) this.#openers.set(room, openers = new Set());
        openers.add(post);
        const peers = openers;
        return store.open(room, (messages) => {
          for (const peer of peers) peer({ type: "feed", room, messages });
        });
      }
      case "close": {
        // The room is forgotten only once no peer serves it.
        const openers = this.#openers.get(room);
        openers?.delete(post);
        if (openers && openers.size > 0) return Promise.resolve();
        this.#openers.delete(room);
        return store.close(room);
      }
      case "append":
        return store.append(args[0], args[1]);
      case "replay":
        return store.replay(args[0], args[1], args[2]);
      case "before":
        return store.before(args[0], args[1], args[2]);
      case "updatePresence":
        return store.updatePresence(args[0], args[1], args[2]);
      case "presence":
        return store.presence(args[0]);
      case "ready":
        return Promise.resolve(store.ready?.() ?? true);
    }
  }
}
