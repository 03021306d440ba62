/**
 * A generator thread of the arrival storm: it runs its share of the joins
 * ({@linkcode Joiners}) and answers the main thread, which meanwhile samples
 * the server undisturbed by the generator's own work.
 *
 * @module
 */

import { Joiners, type JoinersOptions } from "./storm_joiners.ts";

/** What the main thread asks of a storm thread. */
export type StormRequest =
  | { type: "start"; share: JoinersOptions }
  | { type: "report" }
  | { type: "close" };

/** What a storm thread answers. */
export type StormAnswer =
  | { type: "progress"; joined: number; failed: number }
  | { type: "done" }
  | { type: "report"; report: ReturnType<Joiners["report"]> }
  | { type: "closed" };

const scope = self as unknown as {
  postMessage(message: StormAnswer): void;
  onmessage: ((event: MessageEvent<StormRequest>) => void) | null;
};

let joiners: Joiners | undefined;
let ticker: ReturnType<typeof setInterval> | undefined;

scope.onmessage = ({ data: request }) => {
  switch (request.type) {
    case "start": {
      const share = new Joiners(request.share);
      joiners = share;
      const tell = () =>
        scope.postMessage({ type: "progress", ...share.progress });
      ticker = setInterval(tell, 250);
      share.run().then(() => {
        tell();
        scope.postMessage({ type: "done" });
      });
      return;
    }
    case "report": {
      clearInterval(ticker);
      const report = joiners!.report();
      // Copied, not transferred: a late reply must not write to a
      // detached array.
      return scope.postMessage({ type: "report", report });
    }
    case "close":
      joiners?.close();
      return scope.postMessage({ type: "closed" });
  }
};
