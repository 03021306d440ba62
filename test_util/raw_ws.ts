/**
 * A deliberately low-level WebSocket client for tests, written directly on
 * top of `Deno.connect`. Unlike the browser `WebSocket`, it lets a test send
 * malformed input (bad handshakes, invalid UTF-8, arbitrary opcodes, raw
 * garbage), read frames exactly as they arrive on the wire, and stall
 * completely: nothing is ever read unless a read method is called.
 *
 * @module
 */

/** WebSocket opcodes (RFC 6455, section 5.2). */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/** Options for {@linkcode rawHandshake}. */
export interface HandshakeOptions {
  /** Request target; defaults to `"/ws"`. */
  path?: string;
  /** Request method; defaults to `"GET"`. */
  method?: string;
  /** Extra or overriding request headers (case-insensitive); a header set to `""` is omitted. */
  headers?: Record<string, string>;
  /** Aborts connecting and reading the response; the connection is closed. */
  signal?: AbortSignal;
  /**
   * Milliseconds to wait after connecting, and again in the middle of the
   * request, as a slow client would; 0 sends the request at once.
   */
  pause?: number;
}

/** Outcome of {@linkcode rawHandshake}. */
export interface HandshakeResult {
  /** HTTP status code of the response. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** The open connection; set only when the status is 101. */
  conn?: RawWebSocket;
}

/** One WebSocket frame as read from the wire (payload already unmasked). */
export interface Frame {
  /** FIN bit. */
  fin: boolean;
  /** Opcode (see {@linkcode Opcode}). */
  opcode: number;
  /** Payload bytes. */
  payload: Uint8Array;
}

/** Options for {@linkcode RawWebSocket.prototype.sendFrame}. */
export interface SendFrameOptions {
  /** FIN bit; defaults to `true`. */
  fin?: boolean;
  /** Mask the payload as a client must; defaults to `true`. */
  mask?: boolean;
}

/** Options for reads that may wait on the network. */
export interface ReadOptions {
  /** Rejects the read with `signal.reason`; no buffered or in-flight bytes are lost. */
  signal?: AbortSignal;
}

/** Close code and reason from a close frame. */
export interface CloseInfo {
  /** Status code, or `null` if the close frame had no payload. */
  code: number | null;
  /** Reason text (empty if none). */
  reason: string;
}

const CHUNK_SIZE = 64 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;
const HEADER_END = [13, 10, 13, 10];
// Module-private method name, so reading the HTTP head stays out of the public API.
const readHead = Symbol("readHead");

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true });
const lenientDecoder = new TextDecoder();

/** Opens a TCP connection to host:port and performs (or attempts) a handshake. */
export async function rawHandshake(
  addr: { hostname: string; port: number },
  options: HandshakeOptions = {},
): Promise<HandshakeResult> {
  const { path = "/ws", method = "GET", signal } = options;
  signal?.throwIfAborted();
  const conn = await Deno.connect({
    hostname: addr.hostname,
    port: addr.port,
    transport: "tcp",
  });
  const ws = new RawWebSocket(conn);
  try {
    signal?.throwIfAborted();
    const host = addr.hostname.includes(":")
      ? `[${addr.hostname}]:${addr.port}`
      : `${addr.hostname}:${addr.port}`;
    const fields = new Map<string, [string, string]>();
    const set = (name: string, value: string) =>
      fields.set(name.toLowerCase(), [name, value]);
    set("Host", host);
    set("Upgrade", "websocket");
    set("Connection", "Upgrade");
    set("Sec-WebSocket-Key", randomKey());
    set("Sec-WebSocket-Version", "13");
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      set(name, value);
    }
    let request = `${method} ${path} HTTP/1.1\r\n`;
    for (const [name, value] of fields.values()) {
      if (value !== "") request += `${name}: ${value}\r\n`;
    }
    request += "\r\n";
    const bytes = encoder.encode(request);
    if (options.pause) {
      const half = bytes.length >> 1;
      await new Promise((resolve) => setTimeout(resolve, options.pause));
      await ws.sendRaw(bytes.subarray(0, half));
      await new Promise((resolve) => setTimeout(resolve, options.pause));
      await ws.sendRaw(bytes.subarray(half));
    } else {
      await ws.sendRaw(bytes);
    }

    const head = await ws[readHead](signal);
    const lines = lenientDecoder.decode(head).split("\r\n");
    const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: |$)/.exec(lines[0]);
    if (!match) throw new Error(`bad HTTP status line: ${lines[0]}`);
    const status = Number(match[1]);
    const headers = new Headers();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error(`bad HTTP header line: ${line}`);
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    if (status !== 101) {
      ws.abort();
      return { status, headers };
    }
    return { status, headers, conn: ws };
  } catch (err) {
    ws.abort();
    throw err;
  }
}

/** A client WebSocket connection over raw TCP; obtain one from {@linkcode rawHandshake}. */
export class RawWebSocket implements AsyncDisposable {
  #conn: Deno.Conn;
  #buf = new Uint8Array(CHUNK_SIZE);
  #start = 0;
  #end = 0;
  #chunk = new Uint8Array(CHUNK_SIZE);
  // A read left running by an aborted readFrame(); the next read awaits it.
  #pending: Promise<number | null> | null = null;
  #eof = false;
  #aborted = false;
  #writes: Promise<void> = Promise.resolve();

  /** Wraps an already connected TCP stream (used by {@linkcode rawHandshake}). */
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** This end's address. */
  get localAddr(): Deno.NetAddr {
    return this.#conn.localAddr as Deno.NetAddr;
  }

  /** The server's address. */
  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr as Deno.NetAddr;
  }

  /** Sends a masked text frame. */
  sendText(text: string): Promise<void> {
    return this.sendFrame(Opcode.Text, encoder.encode(text));
  }

  /** Sends one frame with any opcode and payload size (masked unless `mask: false`). */
  sendFrame(
    opcode: number,
    payload: Uint8Array,
    options: SendFrameOptions = {},
  ): Promise<void> {
    return this.sendRaw(
      encodeFrame(opcode, payload, options.fin ?? true, options.mask ?? true),
    );
  }

  /** Writes bytes to the socket as-is (writes are serialized). */
  sendRaw(bytes: Uint8Array): Promise<void> {
    const write = this.#writes.then(() => this.#writeAll(bytes));
    this.#writes = write.catch(() => {});
    return write;
  }

  /** Reads the next frame; `null` on EOF (or reset) at a frame boundary. Never answers anything. */
  async readFrame(options: ReadOptions = {}): Promise<Frame | null> {
    while (true) {
      const frame = this.#parseFrame();
      if (frame) return frame;
      if (!await this.#fill(options.signal)) {
        if (this.#start === this.#end) return null;
        throw new Error(
          `connection ended in the middle of a frame (${
            this.#end - this.#start
          } bytes left over)`,
        );
      }
    }
  }

  /** Reads the next text message (joining continuation frames), skipping pings/pongs; throws on close, binary or EOF. */
  async readText(options: ReadOptions = {}): Promise<string> {
    const parts: Uint8Array[] = [];
    while (true) {
      const frame = await this.readFrame(options);
      if (frame === null) {
        throw new Error("connection ended while waiting for a text frame");
      }
      const { opcode } = frame;
      if (opcode === Opcode.Ping || opcode === Opcode.Pong) continue;
      if (opcode === Opcode.Close) {
        const { code, reason } = parseClose(frame.payload);
        throw new Error(
          `got close frame (code ${code}, reason ${
            JSON.stringify(reason)
          }) while waiting for a text frame`,
        );
      }
      const expected = parts.length === 0 ? Opcode.Text : Opcode.Continuation;
      if (opcode !== expected) {
        throw new Error(
          `expected opcode ${expected} while reading text, got ${opcode}`,
        );
      }
      parts.push(frame.payload);
      if (frame.fin) return strictDecoder.decode(concat(parts));
    }
  }

  /** Reads (discarding data frames) until a close frame; throws on EOF first. */
  async readClose(options: ReadOptions = {}): Promise<CloseInfo> {
    while (true) {
      const frame = await this.readFrame(options);
      if (frame === null) {
        throw new Error("connection ended without a close frame");
      }
      if (frame.opcode === Opcode.Close) return parseClose(frame.payload);
    }
  }

  /**
   * Reads and discards everything until the connection ends, as cheaply as
   * a reader can keep up: no frame is parsed.
   *
   * @returns how many bytes arrived.
   */
  async discardAll(options: ReadOptions = {}): Promise<number> {
    let total = this.#end - this.#start;
    this.#start = this.#end = 0;
    while (await this.#fill(options.signal)) {
      total += this.#end - this.#start;
      this.#start = this.#end = 0;
    }
    return total;
  }

  /** Sends a close frame (no payload when `code` is omitted); errors are ignored. */
  async close(code?: number, reason = ""): Promise<void> {
    let payload = new Uint8Array(0);
    if (code !== undefined) {
      const text = encoder.encode(reason);
      payload = new Uint8Array(2 + text.length);
      new DataView(payload.buffer).setUint16(0, code);
      payload.set(text, 2);
    }
    try {
      await this.sendFrame(Opcode.Close, payload);
    } catch {
      // The socket may already be gone.
    }
  }

  /** Closes the TCP connection immediately; idempotent. */
  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  /** Same as {@linkcode RawWebSocket.prototype.abort}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.abort();
    return Promise.resolve();
  }

  // Reads the HTTP response head, leaving any following bytes buffered.
  async [readHead](signal?: AbortSignal): Promise<Uint8Array> {
    let searchFrom = 0;
    while (true) {
      const end = indexOf(
        this.#buf,
        HEADER_END,
        this.#start + searchFrom,
        this.#end,
      );
      if (end >= 0) {
        const head = this.#buf.slice(this.#start, end);
        this.#start = end + HEADER_END.length;
        return head;
      }
      searchFrom = Math.max(0, this.#end - this.#start - 3);
      if (searchFrom > MAX_HEADER_BYTES) {
        throw new Error("HTTP response head too large");
      }
      if (!await this.#fill(signal)) {
        throw new Error("connection ended during the HTTP response head");
      }
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    if (this.#aborted) throw new Error("connection was aborted");
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.#conn.write(bytes.subarray(offset));
    }
  }

  // Reads once from the socket into the buffer; false on EOF.
  async #fill(signal?: AbortSignal): Promise<boolean> {
    if (this.#eof) return false;
    if (this.#aborted) throw new Error("connection was aborted");
    signal?.throwIfAborted();
    if (!this.#pending) {
      const read = this.#conn.read(this.#chunk);
      read.catch(() => {}); // Keep a read abandoned by an abort from being "unhandled".
      this.#pending = read;
    }
    const pending = this.#pending;
    let n: number | null;
    try {
      n = signal ? await raceAbort(pending, signal) : await pending;
    } catch (err) {
      if (signal?.aborted && this.#pending === pending && !this.#aborted) {
        throw err; // Read continues; its bytes are picked up next time.
      }
      this.#pending = null;
      if (err instanceof Deno.errors.ConnectionReset) n = null;
      else if (this.#aborted) throw new Error("connection was aborted");
      else throw err;
    }
    this.#pending = null;
    if (n === null) {
      this.#eof = true;
      return false;
    }
    this.#append(this.#chunk.subarray(0, n));
    return true;
  }

  #append(bytes: Uint8Array): void {
    const used = this.#end - this.#start;
    if (this.#buf.length - this.#end < bytes.length) {
      if (
        this.#buf.length - used >= bytes.length && used < this.#buf.length / 2
      ) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        let size = this.#buf.length * 2;
        while (size - used < bytes.length) size *= 2;
        const bigger = new Uint8Array(size);
        bigger.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = bigger;
      }
      this.#start = 0;
      this.#end = used;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  // Consumes and returns one complete frame from the buffer, or null if incomplete.
  #parseFrame(): Frame | null {
    const available = this.#end - this.#start;
    if (available < 2) return null;
    const buf = this.#buf;
    const at = this.#start;
    const b0 = buf[at];
    const b1 = buf[at + 1];
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let headerLength = 2;
    const view = new DataView(buf.buffer, buf.byteOffset + at);
    if (length === 126) {
      headerLength = 4;
      if (available < headerLength) return null;
      length = view.getUint16(2);
    } else if (length === 127) {
      headerLength = 10;
      if (available < headerLength) return null;
      const big = view.getBigUint64(2);
      if (big > BigInt(MAX_PAYLOAD_BYTES)) {
        throw new Error(`frame payload too large: ${big} bytes`);
      }
      length = Number(big);
    }
    if (masked) headerLength += 4;
    if (available < headerLength + length) return null;
    const payload = buf.slice(at + headerLength, at + headerLength + length);
    if (masked) {
      const key = buf.subarray(at + headerLength - 4, at + headerLength);
      for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    }
    this.#start += headerLength + length;
    return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload };
  }
}

/**
 * One frame as a client sends it (masked unless `mask` is false), ready for
 * {@linkcode RawWebSocket.prototype.sendRaw}: a test can join many into one
 * write.
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  fin: boolean,
  mask: boolean,
): Uint8Array {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerLength = 2 + extended + (mask ? 4 : 0);
  const frame = new Uint8Array(headerLength + length);
  const view = new DataView(frame.buffer);
  frame[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  if (extended === 0) {
    frame[1] = maskBit | length;
  } else if (extended === 2) {
    frame[1] = maskBit | 126;
    view.setUint16(2, length);
  } else {
    frame[1] = maskBit | 127;
    view.setBigUint64(2, BigInt(length));
  }
  frame.set(payload, headerLength);
  if (mask) {
    const key = crypto.getRandomValues(new Uint8Array(4));
    frame.set(key, headerLength - 4);
    for (let i = 0; i < length; i++) frame[headerLength + i] ^= key[i & 3];
  }
  return frame;
}

function parseClose(payload: Uint8Array): CloseInfo {
  if (payload.length === 0) return { code: null, reason: "" };
  if (payload.length === 1) {
    throw new Error("malformed close frame: 1-byte payload");
  }
  const code = (payload[0] << 8) | payload[1];
  return { code, reason: lenientDecoder.decode(payload.subarray(2)) };
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

function indexOf(
  haystack: Uint8Array,
  needle: number[],
  from: number,
  to: number,
): number {
  outer: for (let i = from; i + needle.length <= to; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}
