/**
 * How many file descriptors this process can still open: the budget that
 * natter's connections share with everything else in the process.
 *
 * Linux states the limit in `/proc/self/limits`, but Deno 2.9 lets a program
 * read anything under `/proc` only with `--allow-all`. So natter counts
 * instead: it opens `/dev/null` until the kernel refuses with EMFILE, then
 * closes every one. That needs nothing more than `--allow-read=/dev/null`
 * and counts exactly what is free, whatever the process holds already.
 *
 * @module
 */

/** Errors that mean the process (EMFILE) or the system (ENFILE) is out of descriptors. */
const EXHAUSTED = new Set(["EMFILE", "ENFILE"]);

/** Whether `error` says that no descriptor is left to open. */
export function isExhausted(error: unknown): boolean {
  return EXHAUSTED.has((error as { code?: string } | null)?.code ?? "");
}

/** Options for {@linkcode freeDescriptors}. */
export interface FreeDescriptorsOptions {
  /**
   * Stops counting here: a process allowed more is reported as having this
   * many free, so that counting stays quick (about 15 µs a descriptor).
   * @default {65536}
   */
  max?: number;
  /**
   * Opens one descriptor. Tests give a fake one.
   * @default {() => Deno.openSync("/dev/null")}
   */
  open?: () => { close(): void };
}

/**
 * Counts the file descriptors this process can still open, by opening them
 * until the limit and closing them again.
 *
 * @returns how many could be opened, at most `max`; `undefined` when one
 * could not be opened for another reason than the limit (no permission to
 * read `/dev/null`, or a system without it), so the count is unknown.
 * @example
 * ```ts
 * const free = freeDescriptors(); // 19978 under `ulimit -n 20000`
 * ```
 */
export function freeDescriptors(
  options: FreeDescriptorsOptions = {},
): number | undefined {
  const max = options.max ?? 65536;
  const open = options.open ?? (() => Deno.openSync("/dev/null"));
  const opened: { close(): void }[] = [];
  try {
    while (opened.length < max) opened.push(open());
    return max;
  } catch (error) {
    return isExhausted(error) ? opened.length : undefined;
  } finally {
    for (const file of opened) file.close();
  }
}

/**
 * Whether one more descriptor can be opened right now: opens `/dev/null`
 * and closes it again.
 *
 * @returns `false` when the process or the system is out of descriptors,
 * `true` otherwise (also when the check itself is not permitted).
 */
export function canOpenDescriptor(
  open: () => { close(): void } = () => Deno.openSync("/dev/null"),
): boolean {
  try {
    open().close();
    return true;
  } catch (error) {
    return !isExhausted(error);
  }
}
