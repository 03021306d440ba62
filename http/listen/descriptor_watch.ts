/**
 * The descriptor watch: notices when the process has run out of file
 * descriptors, logs it once per episode, and makes Deno 2.9 poll listeners
 * whose accept loop stopped at EMFILE.
 *
 * @module
 */

import { canOpenDescriptor } from "./descriptors.ts";
import { BACKLOG, type TcpHandle } from "./tcp_bind.ts";

/** The descriptor watch of one listener. */
export interface Watch {
  /** The watch's interval timer. */
  timer: ReturnType<typeof setInterval>;
  /** Reports a shortage seen elsewhere, between two checks. */
  exhausted(): void;
  /** Reports a descriptor closed: during a shortage, listens again at once. */
  freed(): void;
}

/**
 * Once every `interval` ms: checks that a descriptor can be opened, logging
 * once when none can (and not again until one could), and listens on each
 * of `handles` again, which makes Deno 2.9 poll an accept loop that stopped at
 * EMFILE. On a listener that accepts, that second `listen()` does nothing.
 * A shortage reported through `exhausted()` is logged the same way; an
 * episode ends at a check that finds descriptors free and no shortage
 * reported since the previous one.
 */
export function watchDescriptors(
  handles: TcpHandle[],
  interval: number,
  log: (line: string) => void,
): Watch {
  let episode = false;
  let reported = false;
  const relisten = () => {
    for (const handle of handles) handle.listen(BACKLOG);
  };
  const exhausted = () => {
    reported = true;
    if (episode) return;
    episode = true;
    log(
      "out of file descriptors: new connections wait in the kernel's " +
        "queue until some are free; connected clients are not affected",
    );
  };
  const timer = setInterval(() => {
    if (!canOpenDescriptor()) exhausted();
    else if (!reported) episode = false;
    reported = false;
    relisten();
  }, interval);
  const freed = () => {
    if (episode) relisten();
  };
  Deno.unrefTimer(timer as unknown as number);
  return { timer, exhausted, freed };
}
