/**
 * The bridge between `node:http`, which natter listens with, and the web
 * platform's `Request` and `Response`, which natter's handler speaks: a
 * request becomes a `Request`, a `Response` is written back, to a
 * `ServerResponse` or, for a refused upgrade, as raw bytes to the socket.
 *
 * @module
 */

import { STATUS_CODES } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { Readable } from "node:stream";

/**
 * A Host header's value that is a host and an optional port, as RFC 9110
 * allows it: a name or IPv4 address, or an IPv6 address in brackets. Nothing
 * that could end the authority of a URL (`/`, `?`, `#`, `@`, `\`) passes.
 */
const HOST =
  /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?$/;

/**
 * The path and query of a request target: an origin-form target (`/ws?x`)
 * as it is, an absolute-form one (`http://h/ws?x`) its own path and query;
 * `undefined` for any other form (`*`, an authority).
 */
function pathOf(target: string): string | undefined {
  if (target.startsWith("/")) return target;
  if (!/^https?:\/\//i.test(target)) return undefined;
  const url = URL.parse(target);
  return url ? url.pathname + url.search : undefined;
}

/**
 * The `Request` for a request `node:http` parsed; a body streams on from
 * `node:http`. Its URL's path and query come from the request target alone;
 * the Host header only names the URL's host, and is passed on unchanged.
 *
 * @returns `undefined` when the request cannot be one: a Host that is not
 * `host[:port]`, a target that is neither a path nor an http URL, a method
 * `fetch` forbids.
 */
export function toRequest(message: IncomingMessage): Request | undefined {
  try {
    const host = message.headers.host ?? "localhost";
    const path = pathOf(message.url ?? "/");
    if (!HOST.test(host) || path === undefined) return undefined;
    // The server API's POST and DELETE read their JSON from the stream.
    const method = message.method ?? "GET";
    const body = method === "GET" || method === "HEAD"
      ? undefined
      : Readable.toWeb(message) as ReadableStream<Uint8Array>;
    const request = new Request(
      `http://${host}${path}`,
      { method, body, duplex: "half" } as RequestInit,
    );
    // Added to the request's own headers: a Headers object given to the
    // constructor would be copied into them, at six times the cost, in an
    // arrival storm the costliest step of a handshake.
    const headers = request.headers;
    const raw = message.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      headers.append(raw[i], raw[i + 1]);
    }
    return request;
  } catch {
    return undefined;
  }
}

/** Writes `response` to `res`, the body in one piece (natter's are small). */
export async function writeResponse(
  res: ServerResponse,
  response: Response,
): Promise<void> {
  const body = response.body === null
    ? undefined
    : new Uint8Array(await response.arrayBuffer());
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.end(body);
}

/** Headers that {@linkcode writeRaw} sets itself. */
const FRAMING = new Set(["connection", "content-length", "transfer-encoding"]);

/**
 * Writes `response` as raw HTTP/1.1 to `socket`, a connection `node:http`
 * handed over for an upgrade that is refused, then closes it as soon as the
 * bytes are out.
 */
export async function writeRaw(
  socket: Duplex,
  response: Response,
): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  const status = response.status;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n`;
  for (const [name, value] of response.headers) {
    if (!FRAMING.has(name)) head += `${name}: ${value}\r\n`;
  }
  head += `content-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
  const bytes = new TextEncoder().encode(head);
  const all = new Uint8Array(bytes.byteLength + body.byteLength);
  all.set(bytes);
  all.set(body, bytes.byteLength);
  socket.end(all, () => socket.destroy());
}
