/**
 * One worker thread of a {@linkcode serveCluster} natter: a server on the
 * shared port whose Hub relays through the main thread.
 *
 * @module
 */

import type { FromWorker, ToWorker } from "./cluster.ts";
import type { Relay } from "./relay.ts";
import { type Natter, serve } from "./server.ts";

/** The worker's side of the channel to the main thread. */
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
};

let deliver: (messages: readonly string[]) => void = () => {};
const relay: Relay = {
  publish: (messages) => scope.postMessage({ type: "publish", messages }),
  listen: (listener) => deliver = listener,
};
let natter: Natter | undefined;

scope.onmessage = async (event) => {
  const message = event.data;
  switch (message.type) {
    case "messages":
      return deliver(message.messages);
    case "start":
      try {
        natter = serve({
          ...message.options,
          relay,
          reusePort: true,
          log: (line) => console.error(`natter: ${line}`),
          onListen: (addr) => scope.postMessage({ type: "listening", addr }),
        });
      } catch (error) {
        const { name, message } = error as Error;
        scope.postMessage({ type: "failed", name, message });
      }
      return;
    case "stop": {
      const clean = natter ? await natter.shutdown() : true;
      return scope.postMessage({ type: "stopped", clean });
    }
  }
};
