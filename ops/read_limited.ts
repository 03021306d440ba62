/**
 * Reads a request body up to a number of bytes, as a stream: a body that
 * passes the limit is refused as soon as it does, whatever its
 * Content-Length says or does not say, so a peer cannot make natter hold
 * more than the limit.
 *
 * @module
 */

/** What {@linkcode readLimited} read: the text, or that the body was too big. */
export type LimitedBody = { text: string } | { tooLarge: true };

/**
 * The body of `request` as UTF-8 text when it is at most `maxBytes` bytes;
 * `{ tooLarge: true }` once it passes them, with the rest left unread.
 *
 * @throws {TypeError} when the body cannot be read (the peer went away).
 *
 * @example
 * ```ts
 * async function handle(request: Request): Promise<Response> {
 *   const body = await readLimited(request, 64 * 1024);
 *   if ("tooLarge" in body) return new Response(null, { status: 413 });
 *   return new Response(`${body.text.length} characters`);
 * }
 * ```
 */
export async function readLimited(
  request: Request,
  maxBytes: number,
): Promise<LimitedBody> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return { tooLarge: true };
  }
  if (request.body === null) return { text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return { tooLarge: true };
      }
      chunks.push(value);
    }
  } catch (error) {
    throw new TypeError(
      `Cannot read the request body: ${(error as Error).message}`,
    );
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(bytes) };
}
