/**
 * Reading natter.v1 frames (docs/protocol.md S3) cheaply, for the storm
 * benchmarks: thousands of members each receive frames the generator must
 * look into without parsing them.
 *
 * The scans rest on two facts. natter writes every event with `type` as its
 * first key, so an event begins with `{"type":"NAME"`. And inside a JSON
 * string a quote is always escaped, so that sequence never occurs within a
 * text, a nick or a room name: it marks where an event begins and nothing
 * else. Events do not nest, except the `message` events in a `joined`
 * reply's or a `history` reply's list.
 *
 * @module
 */

/** What every event begins with. */
const EVENT = '{"type":"';
const JOINED = '{"type":"joined"';
const ERROR = '{"type":"error"';
const PRESENCE = '{"type":"presence"';
const MESSAGE = '{"type":"message"';
const OFFSET = '"offset":';

/**
 * Where the `joined` reply begins in `frame`, or -1 when it holds none.
 *
 * @example
 * ```ts
 * joinedAt('[{"type":"joined","id":1,"room":"storm"}]'); // 1
 * joinedAt('[{"type":"presence","room":"storm"}]'); // -1
 * ```
 */
export function joinedAt(frame: string): number {
  return frame.indexOf(JOINED);
}

/**
 * The `code` of the first `error` event in `frame`, or `undefined` when it
 * holds none; `"error"` if the code cannot be read.
 *
 * @example
 * ```ts
 * errorCode('[{"type":"error","id":1,"code":"room_full","message":"full"}]');
 * // "room_full"
 * ```
 */
export function errorCode(frame: string): string | undefined {
  const at = frame.indexOf(ERROR);
  if (at === -1) return undefined;
  const code = /"code":"([a-z_]+)"/.exec(frame.slice(at, at + 200));
  return code ? code[1] : "error";
}

/** Presence events and their characters, added up by {@linkcode countPresence}. */
export interface PresenceTally {
  /** How many `presence` events. */
  events: number;
  /** How many characters they took, from `{` to `}`. */
  chars: number;
}

/**
 * Adds the `presence` events of `frame` from index `from` on to `tally`:
 * each runs from its `{"type":"presence"` to where the next event begins,
 * or to the frame's closing `]`. A presence event holds member objects and
 * no other event, so nothing inside it is mistaken for that next event.
 *
 * @example
 * ```ts
 * const tally = { events: 0, chars: 0 };
 * countPresence(
 *   '[{"type":"presence","room":"r","joined":[],"left":[],"count":2}]',
 *   0,
 *   tally,
 * );
 * // tally: { events: 1, chars: 62 }
 * ```
 */
export function countPresence(
  frame: string,
  from: number,
  tally: PresenceTally,
): void {
  let at = frame.indexOf(PRESENCE, from);
  while (at !== -1) {
    const next = frame.indexOf(EVENT, at + PRESENCE.length);
    // The event ends before the comma that precedes the next one, or
    // before the array's closing bracket.
    const end = next === -1 ? frame.length - 1 : next - 1;
    tally.events++;
    tally.chars += end - at;
    at = next === -1 ? -1 : frame.indexOf(PRESENCE, next);
  }
}

/**
 * Calls `see` with the offset of every `message` event in `frame`, in the
 * order they come: live messages, and a `joined` reply's history. natter
 * writes a message event's `room` before its `offset`, and a room name
 * holds no quote, so the first `"offset":` after the event's start is its
 * own.
 *
 * @example
 * ```ts
 * const offsets: number[] = [];
 * messageOffsets(
 *   '[{"type":"message","room":"r","offset":7,"text":"hi"}]',
 *   (offset) => offsets.push(offset),
 * );
 * // offsets: [7]
 * ```
 */
export function messageOffsets(
  frame: string,
  see: (offset: number) => void,
): void {
  let at = frame.indexOf(MESSAGE);
  while (at !== -1) {
    const key = frame.indexOf(OFFSET, at + MESSAGE.length);
    if (key === -1) return;
    let value = 0;
    let i = key + OFFSET.length;
    for (; i < frame.length; i++) {
      const c = frame.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + c - 48;
    }
    see(value);
    at = frame.indexOf(MESSAGE, i);
  }
}
