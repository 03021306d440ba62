/**
 * What the fuzzer keeps of one connection: every frame it sent, every
 * event or message it received, and how it ended.
 *
 * @module
 */

import type { FuzzFrame } from "./frames.ts";

/** An event as received: one element of a frame's JSON array. */
// deno-lint-ignore no-explicit-any
export type Event = Record<string, any>;

/** How a connection ended, as seen from the client. */
export type Ending =
  /** The server sent a close frame with this code and reason. */
  | { by: "server"; code: number | null; reason: string }
  /** The TCP connection ended without a close frame. */
  | { by: "eof"; detail: string }
  /** The fuzzer closed it (or the run ended with it open). */
  | { by: "us" };

/** Everything one connection sent and received. */
export interface ConnectionRecord {
  label: string;
  mode: "v1" | "plain";
  sent: FuzzFrame[];
  /** natter.v1: every event. */
  events: Event[];
  /** Plain mode: every message, split on LF. */
  texts: string[];
  ending: Ending;
  /** Whether it read what it was sent; a stalled one is checked for nothing. */
  reads: boolean;
}
