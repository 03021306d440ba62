/**
 * Checks a WebSocket opening handshake before it reaches
 * `Deno.upgradeWebSocket`, which throws on a bad one (and Deno.serve would
 * answer 500). Contract H4 and H5, in the order gorilla/websocket checks.
 *
 * @module
 */

/**
 * Why a handshake was refused: the HTTP status and a one-line explanation.
 */
export interface Refusal {
  /** 400, 403 or 405. */
  status: number;
  /** What was wrong, for the response body. */
  message: string;
}

/** Whether a comma-separated header names `token`, ignoring ASCII case. */
function hasToken(headers: Headers, name: string, token: string): boolean {
  const value = headers.get(name);
  if (value === null) return false;
  return value.split(",").some((t) => t.trim().toLowerCase() === token);
}

/** A valid Sec-WebSocket-Key is 16 bytes in standard base64: 24 characters. */
const KEY = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Checks `request` as an upgrade to WebSocket.
 *
 * @param originAllowed The Origin check (see `originCheck`).
 * @returns why the request is refused, or `undefined` when it may be
 * upgraded.
 */
export function checkHandshake(
  request: Request,
  originAllowed: (request: Request) => boolean,
): Refusal | undefined {
  const { headers } = request;
  if (!hasToken(headers, "connection", "upgrade")) {
    return refuse(400, `"upgrade" token not found in "Connection" header`);
  }
  if (!hasToken(headers, "upgrade", "websocket")) {
    return refuse(400, `"websocket" token not found in "Upgrade" header`);
  }
  if (request.method !== "GET") {
    return refuse(405, `Cannot upgrade a "${request.method}" request`);
  }
  if (headers.get("sec-websocket-version") !== "13") {
    return refuse(400, `"Sec-WebSocket-Version" must be "13"`);
  }
  if (!originAllowed(request)) {
    return refuse(403, `Origin "${headers.get("origin")}" is not allowed`);
  }
  if (!KEY.test(headers.get("sec-websocket-key") ?? "")) {
    return refuse(400, `"Sec-WebSocket-Key" is not 16 bytes in base64`);
  }
  return undefined;
}

function refuse(status: number, message: string): Refusal {
  return { status, message };
}
