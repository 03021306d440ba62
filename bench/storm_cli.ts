/**
 * `deno task bench storm [--two-nodes] [flags]`: the arrival storm's flags,
 * its watchdog, and its report on stdout (progress on stderr).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { storm } from "./storm.ts";

/** The storm's usage text. */
export const STORM_USAGE =
  `Usage: deno task bench storm --url ws://127.0.0.1:8080/ws [flags]
       deno task bench storm --two-nodes [flags]
N natter.v1 clients join one room, --par attempts in flight at once. With
--two-nodes, the bench starts its own redis-server and two natter nodes, joins
the clients to node A, sends SIGTERM to A and times their move to node B.
  --url URL        the server (single node; ws://127.0.0.1:8080/ws)
  --pid N          the server's PID: its CPU %, peak RSS and VmHWM (single node)
  --clients N      clients (10000; --two-nodes 5000)
  --par N          join attempts in flight (500)
  --history H      messages the room holds before the storm (single node; 60)
  --room NAME      the room (storm)
  --workers N      generator threads (single node; 1)
  --timeout S      a join attempt with no reply by then fails (30)
  --attempts N     attempts per client before it is given up (5)
  --watchdog S     give up after S seconds and report what there is (120)
  --rate R         --two-nodes: messages a second the sender on node B posts (5;
                   at 20, 5,000 clients take the generator's whole thread)
  --window S       --two-nodes: node A's --drain-window (5)
  --deadline S     --two-nodes: the run passes if all rejoined within S of SIGTERM (15)`;

/** A whole number from a flag, at least `min`. */
function whole(
  values: Record<string, unknown>,
  name: string,
  fallback: number,
  min = 1,
): number {
  const value = values[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(
      `Cannot use "--${name}": "${value}" is not a whole number of at least ${min}`,
    );
  }
  return n;
}

/**
 * Runs the storm that `args` (the words after `storm`) describe, prints its
 * report, and returns the exit code: 0 when it ran to the end, 1 when it
 * failed or was cut short (by the watchdog or Ctrl-C), 2 for bad flags.
 *
 * @example
 * ```ts
 * const code = await stormCommand(["--url", "ws://127.0.0.1:8080/ws", "--clients", "2000"]);
 * Deno.exit(code);
 * ```
 */
export async function stormCommand(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        url: { type: "string", default: "ws://127.0.0.1:8080/ws" },
        pid: { type: "string" },
        clients: { type: "string" },
        par: { type: "string" },
        history: { type: "string" },
        room: { type: "string", default: "storm" },
        workers: { type: "string" },
        timeout: { type: "string" },
        attempts: { type: "string" },
        watchdog: { type: "string" },
        "two-nodes": { type: "boolean", default: false },
        rate: { type: "string" },
        window: { type: "string" },
        deadline: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    console.error(`bench storm: ${(error as Error).message}`);
    return 2;
  }
  if (values.help) {
    console.log(STORM_USAGE);
    return 0;
  }
  let run, watchdog;
  try {
    run = plan(values);
    watchdog = whole(values, "watchdog", 120);
  } catch (error) {
    console.error(`bench storm: ${(error as Error).message}`);
    return 2;
  }
  // The watchdog, Ctrl-C and SIGTERM make the run stop waiting, clean up
  // and report; a run that cannot even do that is ended a minute later, or
  // at the second signal.
  const stop = new AbortController();
  const interrupt = () => {
    if (stop.signal.aborted) Deno.exit(130);
    console.error(
      "bench storm: interrupted; cleaning up (once more to quit at once)",
    );
    stop.abort();
  };
  Deno.addSignalListener("SIGINT", interrupt);
  Deno.addSignalListener("SIGTERM", interrupt);
  const soft = setTimeout(() => stop.abort(), watchdog * 1000);
  const hard = setTimeout(() => {
    console.log(JSON.stringify({ error: "watchdog: the run did not stop" }));
    Deno.exit(1);
  }, (watchdog + 60) * 1000);
  try {
    const result = await run(stop.signal);
    console.log(JSON.stringify({ cmd: "storm", ...result }, null, 2));
    return result.complete ? 0 : 1;
  } catch (error) {
    console.log(JSON.stringify({ error: (error as Error).message }));
    return 1;
  } finally {
    clearTimeout(soft);
    clearTimeout(hard);
    Deno.removeSignalListener("SIGINT", interrupt);
    Deno.removeSignalListener("SIGTERM", interrupt);
  }
}

/** The flags' run, which a signal stops early; throws on a bad value. */
function plan(
  values: Record<string, string | boolean | undefined>,
): (signal: AbortSignal) => Promise<{ complete: boolean }> {
  const twoNodes = values["two-nodes"] === true;
  const progress = (line: string) => console.error(line);
  const common = {
    room: String(values.room),
    clients: whole(values, "clients", twoNodes ? 5000 : 10000),
    par: whole(values, "par", 500),
    timeout: whole(values, "timeout", 30) * 1000,
    attempts: whole(values, "attempts", 5),
    progress,
  };
  if (twoNodes) {
    const options = {
      ...common,
      rate: whole(values, "rate", 5),
      window: whole(values, "window", 5, 0),
      deadline: whole(values, "deadline", 15),
    };
    // Loaded only here: it brings the test helpers that run Redis.
    return async (signal) => {
      const { stormNodes } = await import("./storm_nodes.ts");
      return stormNodes({ ...options, signal });
    };
  }
  const options = {
    ...common,
    url: String(values.url),
    pid: values.pid === undefined ? undefined : whole(values, "pid", 1),
    history: whole(values, "history", 60, 0),
    workers: whole(values, "workers", 1),
  };
  return (signal) => storm({ ...options, signal });
}
