/**
 * A store in another thread: {@linkcode RemoteStore} forwards every call
 * over a message port to {@linkcode StoreHost}, which answers from a real
 * store. The workers of `--workers N` share the main thread's store this
 * way, so each room has one offset sequence and one order for all of them;
 * the host feeds every worker that opened a room each message appended to
 * it, whichever worker sent it, and tells the others of each worker's
 * presence changes, as the Redis store tells other nodes.
 *
 * @module
 */

import {
  type Appended,
  type Draft,
  type Feed,
  type Member,
  type Position,
  type Replay,
  type RoomEvents,
  roomNotOpen,
  type Store,
  type StoredMessage,
} from "./store.ts";

/** A store call on its way to the host. */
export interface StoreCall {
  type: "store";
  /** Which {@linkcode RemoteStore} calls: the host knows its rooms by it. */
  peer: string;
  call: number;
  method: keyof Store;
  args: unknown[];
}

/**
 * What the host sends back: a call's answer (an error by its class name
 * and message), or what it feeds a room's peers: messages, or members who
 * joined or left through another peer.
 */
export type StoreAnswer =
  | {
    type: "answer";
    call: number;
    value?: unknown;
    error?: string;
    name?: string;
  }
  | { type: "feed"; room: string; messages: readonly StoredMessage[] }
  | {
    type: "feed";
    room: string;
    joined: readonly Member[];
    left: readonly Member[];
  };

/** The built-in errors a rejection keeps its class across the port for. */
const ERRORS: Record<string, ErrorConstructor> = {
  Error,
  RangeError,
  TypeError,
};

/** A room this side opened: where its messages and news go. */
interface Opened {
  feed: Feed;
  events?: RoomEvents;
}

/**
 * A {@linkcode Store} whose data lives behind `post`; hand it every
 * {@linkcode StoreAnswer} that arrives with {@linkcode RemoteStore.receive}.
 *
 * @example
 * ```ts
 * declare const port: MessagePort;
 * const store = new RemoteStore((call) => port.postMessage(call));
 * port.onmessage = (event) => store.receive(event.data);
 * await store.open("lobby", (messages) => console.log(messages));
 * ```
 */
export class RemoteStore implements Store {
  readonly #post: (call: StoreCall) => void;
  readonly #peer = crypto.randomUUID();
  readonly #calls = new Map<number, PromiseWithResolvers<unknown>>();
  readonly #opened = new Map<string, Opened>();
  #next = 0;

  /** Creates a store that sends its calls with `post`. */
  constructor(post: (call: StoreCall) => void) {
    this.#post = post;
  }

  /** Handles an answer or a feed from the host. */
  receive(answer: StoreAnswer): void {
    if (answer.type === "feed") {
      const opened = this.#opened.get(answer.room);
      if ("messages" in answer) return opened?.feed(answer.messages);
      return opened?.events?.presence?.(answer.joined, answer.left);
    }
    const pending = this.#calls.get(answer.call);
    if (!pending) return;
    this.#calls.delete(answer.call);
    if (answer.error === undefined) return pending.resolve(answer.value);
    const name = answer.name ?? "Error";
    const Class = Object.hasOwn(ERRORS, name) ? ERRORS[name] : Error;
    const error = new Class(answer.error);
    error.name = name;
    pending.reject(error);
  }

  async open(
    room: string,
    feed: Feed,
    events?: RoomEvents,
  ): Promise<Position> {
    // Set before the call: the host may feed the room before it answers.
    const opened = { feed, events };
    this.#opened.set(room, opened);
    try {
      return await this.#call<Position>("open", [room]);
    } catch (error) {
      if (this.#opened.get(room) === opened) this.#opened.delete(room);
      throw error;
    }
  }

  append(room: string, drafts: readonly Draft[]): Promise<Appended> {
    if (!this.#opened.has(room)) return Promise.reject(roomNotOpen(room));
    // Only what the store needs crosses the thread boundary.
    const plain = drafts.map(({ text, from, key }): Draft =>
      key === undefined ? { text, from } : { text, from, key }
    );
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
    if (!this.#opened.has(room)) return Promise.reject(roomNotOpen(room));
    return this.#call("updatePresence", [room, joined, left]);
  }

  presence(room: string): Promise<Member[]> {
    return this.#call("presence", [room]);
  }

  close(room: string): Promise<void> {
    this.#opened.delete(room);
    return this.#call("close", [room]);
  }

  #call<T>(method: StoreCall["method"], args: unknown[]): Promise<T> {
    const call = ++this.#next;
    const pending = Promise.withResolvers<unknown>();
    this.#calls.set(call, pending);
    try {
      this.#post({ type: "store", peer: this.#peer, call, method, args });
    } catch (error) {
      // Arguments that cannot be cloned: a rejection, like any failure.
      this.#calls.delete(call);
      pending.reject(error);
    }
    return pending.promise as Promise<T>;
  }
}

/**
 * Serves a {@linkcode Store} to several {@linkcode RemoteStore}s, each
 * reached through its own `post`.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./memory.ts";
 *
 * declare const port: MessagePort;
 * const host = new StoreHost(new MemoryStore());
 * port.onmessage = (event) =>
 *   host.handle(event.data, (answer) => port.postMessage(answer));
 * ```
 */
export class StoreHost {
  readonly #store: Store;
  /** The peers that opened each room, by peer id: how to reach each. */
  readonly #openers = new Map<string, Map<string, (a: StoreAnswer) => void>>();

  /** Creates a host for `store`. */
  constructor(store: Store) {
    this.#store = store;
  }

  /** Answers one call from the peer reached through `post`. */
  async handle(
    call: StoreCall,
    post: (answer: StoreAnswer) => void,
  ): Promise<void> {
    try {
      const value = await this.#run(call, post);
      post({ type: "answer", call: call.call, value });
    } catch (error) {
      const { name, message } = error as Error;
      post({ type: "answer", call: call.call, error: message, name });
    }
  }

  async #run(
    call: StoreCall,
    post: (answer: StoreAnswer) => void,
  ): Promise<unknown> {
    const store = this.#store;
    const args = call.args as never[];
    const room: string = args[0];
    switch (call.method) {
      case "open": {
        let openers = this.#openers.get(room);
        if (!openers) this.#openers.set(room, openers = new Map());
        // The latest `post` of a peer reaches it: a peer opening a room
        // again is fed once.
        openers.set(call.peer, post);
        const peers = openers;
        return await store.open(room, (messages) => {
          for (const peer of peers.values()) {
            peer({ type: "feed", room, messages });
          }
        });
      }
      case "close": {
        // The room is forgotten only once no peer serves it.
        const openers = this.#openers.get(room);
        openers?.delete(call.peer);
        if (openers && openers.size > 0) return;
        this.#openers.delete(room);
        return await store.close(room);
      }
      case "append":
        return await store.append(room, args[1]);
      case "replay":
        return await store.replay(room, args[1], args[2]);
      case "before":
        return await store.before(room, args[1], args[2]);
      case "updatePresence": {
        const [, joined, left] = call.args as [string, Member[], Member[]];
        await store.updatePresence(room, joined, left);
        if (joined.length + left.length === 0) return;
        // The calling peer's Hub told its own members already.
        for (const [peer, reach] of this.#openers.get(room) ?? []) {
          if (peer !== call.peer) reach({ type: "feed", room, joined, left });
        }
        return;
      }
      case "presence":
        return await store.presence(room);
      case "ready":
        return store.ready?.() ?? true;
    }
  }
}
