/**
 * natter's Prometheus metrics, kept by prom-client: connections, rooms,
 * messages received and delivered, evictions by reason, internal errors
 * (each of which ended one connection), and how long a
 * message waits from its arrival to its hand-over to the sockets.
 *
 * The Hubs and Clients see only {@linkcode Meter}, a few plain functions, so
 * they neither import prom-client nor pay for more than a counter add.
 *
 * @module
 */

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Meter } from "../util/meter.ts";

export type { Meter } from "../util/meter.ts";

/** What the gauges read when scraped. */
export interface Gauges {
  /** Open WebSocket connections. */
  connections(): number;
  /** Rooms that exist. */
  rooms(): number;
}

/** natter's metrics and the text a scrape gets. */
export interface Metrics extends Meter {
  /** The registry's content in Prometheus's text format. */
  text(): Promise<string>;
  /** The text format's content type. */
  readonly contentType: string;
}

/**
 * Creates natter's metrics in a registry of their own.
 *
 * @example
 * ```ts
 * const metrics = createMetrics({ connections: () => 3, rooms: () => 1 });
 * metrics.received(1);
 * await metrics.text(); // "... natter_messages_received_total 1 ..."
 * ```
 */
export function createMetrics(gauges: Gauges): Metrics {
  const registers = [new Registry()];
  new Gauge({
    name: "natter_connections",
    help: "Open WebSocket connections.",
    registers,
    collect() {
      this.set(gauges.connections());
    },
  });
  new Gauge({
    name: "natter_rooms",
    help: "Rooms that exist: with members or with history.",
    registers,
    collect() {
      this.set(gauges.rooms());
    },
  });
  const received = new Counter({
    name: "natter_messages_received_total",
    help: "Messages received from clients and the server API.",
    registers,
  });
  const delivered = new Counter({
    name: "natter_messages_delivered_total",
    help: "Messages handed to members' outbound queues.",
    registers,
  });
  const evictions = new Counter({
    name: "natter_evictions_total",
    help: "Connections natter closed, by reason.",
    labelNames: ["reason"],
    registers,
  });
  const fanOut = new Histogram({
    name: "natter_fanout_seconds",
    help: "Time from a message's arrival to its hand-over to the sockets.",
    buckets: [
      0.0001,
      0.0005,
      0.001,
      0.0025,
      0.005,
      0.01,
      0.025,
      0.05,
      0.1,
      0.25,
      1,
    ],
    registers,
  });
  const internalErrors = new Counter({
    name: "natter_internal_errors_total",
    help:
      "Errors of natter's own that ended one connection (closed with 1011).",
    registers,
  });
  const [registry] = registers;
  return {
    received: (count) => received.inc(count),
    delivered: (count) => delivered.inc(count),
    evicted: (reason) => evictions.inc({ reason }),
    fannedOut: (seconds) => fanOut.observe(seconds),
    internalError: () => internalErrors.inc(),
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
