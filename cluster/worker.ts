/**
 * One worker thread of a {@linkcode serveCluster} natter: a server on the
 * shared port whose rooms live in the main thread's store.
 *
 * @module
 */

import { createVerifier } from "../auth/token.ts";
import type { FromWorker, ToWorker } from "./cluster.ts";
import { RemoteIpSlots } from "../http/listen/ip_slots.ts";
import { setUpLogging } from "../util/log.ts";
import { type Natter, serve } from "../http/server.ts";
import { RedisStore } from "../store/redis.ts";
import { RemoteStore } from "../store/remote.ts";

/** The worker's side of the channel to the main thread. */
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

/** The rooms live in the main thread's store, shared by every worker... */
const store = new RemoteStore((call) => scope.postMessage(call));
/** ...unless they live in Redis, which this worker then uses directly. */
let redis: RedisStore | undefined;
/** Connections per address are counted by the main thread, for every worker. */
const ipSlots = new RemoteIpSlots((call) => scope.postMessage(call));
let natter: Natter | undefined;

scope.onmessage = async (event) => {
  const message = event.data;
  switch (message.type) {
    case "ip-answer":
      return ipSlots.receive(message);
    case "answer":
    case "feed":
      return store.receive(message);
    case "start":
      try {
        const { tokens, logging, ...options } = message.options;
        const log = setUpLogging(logging);
        if (message.redis) {
          const { url, ...settings } = message.redis;
          redis = new RedisStore(url, { ...options, ...settings, log });
        }
        natter = serve({
          ...options,
          store: redis ?? store,
          reusePort: true,
          ipSlots: options.maxConnectionsPerIp ? ipSlots : undefined,
          verifier: await createVerifier(tokens ?? {}),
          log,
          onListen: (addr) => scope.postMessage({ type: "listening", addr }),
        });
      } catch (error) {
        const { name, message } = error as Error;
        scope.postMessage({ type: "failed", name, message });
      }
      return;
    case "drain":
      return natter?.drain();
    case "stop": {
      const clean = natter ? await natter.shutdown(message.reason) : true;
      await redis?.[Symbol.asyncDispose]();
      return scope.postMessage({ type: "stopped", clean });
    }
  }
};
