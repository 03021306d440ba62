/**
 * One fuzz client: a raw WebSocket (natter.v1 or plain) that sends frames in
 * bursts, one TCP write each, so the server reads them pipelined, and either
 * reads everything it is sent or never reads at all (a stalled peer whose
 * queue at the server fills).
 *
 * @module
 */

import {
  encodeFrame,
  type Frame,
  Opcode,
  rawHandshake,
  type RawWebSocket,
} from "../test_util/raw_ws.ts";
import type { FuzzFrame } from "./frames.ts";
import type { ConnectionRecord, Event } from "./record.ts";

/** Options for {@linkcode FuzzConnection.open}. */
export interface ConnectionOptions {
  /** natter.v1 (the subprotocol offered) or plain mode. */
  mode: "v1" | "plain";
  /** Whether it reads; a stalled connection never does. */
  reads: boolean;
  /**
   * The path: plain mode's room is chosen by it.
   * @default {"/ws"}
   */
  path?: string;
  /** Called with each event a natter.v1 connection receives. */
  onEvent?: (event: Event) => void;
}

const encoder = new TextEncoder();

/** A fuzz client connected to natter, and its record. */
export class FuzzConnection {
  /** What it sent and received, for the model. */
  readonly record: ConnectionRecord;
  /** Settles when the connection has ended, whoever ended it. */
  readonly done: Promise<void>;
  readonly #ws: RawWebSocket;
  readonly #onEvent?: (event: Event) => void;
  #ended = false;

  private constructor(
    ws: RawWebSocket,
    label: string,
    options: ConnectionOptions,
  ) {
    this.#ws = ws;
    this.#onEvent = options.onEvent;
    this.record = {
      label,
      mode: options.mode,
      sent: [],
      events: [],
      texts: [],
      reads: options.reads,
      ending: { by: "us" },
    };
    this.done = options.reads ? this.#read() : Promise.resolve();
  }

  /** Connects to natter at `port` on loopback and completes the handshake. */
  static async open(
    port: number,
    label: string,
    options: ConnectionOptions,
  ): Promise<FuzzConnection> {
    const headers: Record<string, string> = options.mode === "v1"
      ? { "Sec-WebSocket-Protocol": "natter.v1" }
      : {};
    const { status, conn } = await rawHandshake(
      { hostname: "127.0.0.1", port },
      { path: options.path ?? "/ws", headers },
    );
    if (!conn) throw new Error(`Cannot connect ${label}: status ${status}`);
    return new FuzzConnection(conn, label, options);
  }

  /** Whether the connection is still up, as far as this end knows. */
  get open(): boolean {
    return !this.#ended;
  }

  /**
   * Sends `frames` in one write, and records them as sent; a write that
   * fails (the server has gone away from this socket) ends the connection.
   */
  async send(frames: FuzzFrame[]): Promise<void> {
    if (this.#ended || frames.length === 0) return;
    const parts = frames.map((frame) =>
      frame.binary
        ? encodeFrame(Opcode.Binary, frame.binary, true, true)
        : encodeFrame(Opcode.Text, encoder.encode(frame.text), true, true)
    );
    this.record.sent.push(...frames);
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    try {
      await this.#ws.sendRaw(bytes);
    } catch {
      // The server has dropped this socket: a reader learns how from its
      // read side; a stalled connection has nothing more to do.
      if (!this.record.reads) this.#end();
    }
  }

  /** The answers it is still owed: the sent frames' ids with no answer yet. */
  pending(): number {
    if (this.record.mode === "plain") {
      const got = this.record.texts.join("\n");
      return this.record.sent.filter((f) =>
        f.expect.kind === "plain" && !got.includes(`${f.expect.token} `)
      ).length;
    }
    const answered = new Set(
      this.record.events.filter((e) => e.id !== undefined).map((e) => e.id),
    );
    return this.record.sent.filter((f) =>
      (f.expect.kind === "command" && !answered.has(f.expect.command.id)) ||
      (f.expect.kind === "error" && !answered.has(f.expect.id))
    ).length;
  }

  /** Ends the connection from this side (a normal close, then the socket). */
  async close(): Promise<void> {
    if (this.#ended) return;
    if (this.record.reads) await this.#ws.close(1000);
    this.#end();
    await this.done;
  }

  #end(): void {
    this.#ended = true;
    this.#ws.abort();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    while (true) {
      let frame: Frame | null;
      try {
        frame = await this.#ws.readFrame();
      } catch (error) {
        if (!this.#ended) {
          this.record.ending = { by: "eof", detail: String(error) };
        }
        break;
      }
      if (frame === null) {
        if (!this.#ended) this.record.ending = { by: "eof", detail: "EOF" };
        break;
      }
      if (frame.opcode === Opcode.Ping) {
        this.#ws.sendFrame(Opcode.Pong, frame.payload).catch(() => {});
      } else if (frame.opcode === Opcode.Close) {
        const { payload } = frame;
        const code = payload.length >= 2
          ? (payload[0] << 8) | payload[1]
          : null;
        const reason = decoder.decode(payload.subarray(2));
        if (!this.#ended) this.record.ending = { by: "server", code, reason };
        await this.#ws.close(code ?? 1000);
        break;
      } else if (frame.opcode === Opcode.Text) {
        this.#receive(decoder.decode(frame.payload));
      } else {
        this.#receive(`<opcode ${frame.opcode}>`);
      }
    }
    this.#end();
  }

  #receive(text: string): void {
    if (this.record.mode === "plain") {
      this.record.texts.push(...text.split("\n"));
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (!Array.isArray(frame)) {
      this.record.events.push({ type: "not-a-json-array", text });
      return;
    }
    for (const event of frame) {
      this.record.events.push(event);
      this.#onEvent?.(event);
    }
  }
}
