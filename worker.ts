/**
 * One worker thread of a {@linkcode serveCluster} natter: a server on the
 * shared port whose rooms live in the main thread's store.
 *
 * @module
 */

import type { FromWorker, ToWorker } from "./cluster.ts";
import { type Natter, serve } from "./server.ts";
import { RedisStore } from "./store/redis.ts";
import { RemoteStore } from "./store/remote.ts";

/** The worker's side of the channel to the main thread. */
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

/** The rooms live in the main thread's store, shared by every worker... */
const store = new RemoteStore((call) => scope.postMessage(call));
/** ...unless they live in Redis, which this worker then uses directly. */
let redis: RedisStore | undefined;
let natter: Natter | undefined;
const log = (line: string) => console.error(`natter: ${line}`);

scope.onmessage = async (event) => {
  const message = event.data;
  switch (message.type) {
    case "answer":
    case "feed":
      return store.receive(message);
    case "start":
      try {
        if (message.redis) {
          const { url, ...options } = message.redis;
          redis = new RedisStore(url, { ...message.options, ...options, log });
        }
        natter = serve({
          ...message.options,
          store: redis ?? store,
          reusePort: true,
          log,
          onListen: (addr) => scope.postMessage({ type: "listening", addr }),
        });
      } catch (error) {
        const { name, message } = error as Error;
        scope.postMessage({ type: "failed", name, message });
      }
      return;
    case "stop": {
      const clean = natter ? await natter.shutdown() : true;
      await redis?.[Symbol.asyncDispose]();
      return scope.postMessage({ type: "stopped", clean });
    }
  }
};
