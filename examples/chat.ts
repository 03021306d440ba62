/**
 * A terminal chat on natter's client library: joins a room, sends each line
 * typed (or piped) on stdin, and prints what others say as `<nick> text`.
 * It keeps going across dropped connections, as the library does, and ends
 * when stdin does (leaving the room first) or at Ctrl-C.
 *
 * ```sh
 * deno task chat --nick ada http://localhost:8080/r/general
 * ```
 *
 * @module
 */

import { connect, type Message, NatterError } from "../sdk/mod.ts";
import { parseChatArgs, USAGE, UsageError } from "./chat_args.ts";

/** How long, once stdin has ended, the chat waits for its last sends. */
const LAST_SENDS_MS = 10_000;

/** Control characters (Unicode category Cc), which a terminal would obey. */
const CONTROL = /\p{Cc}/gu;

/**
 * `message` as one line of the terminal: `<nick> text`, with every control
 * character shown as U+FFFD, so that a message cannot move the cursor,
 * clear the screen or retitle the window.
 *
 * @example
 * ```ts
 * const from = { client: "k-1", nick: "ada" };
 * lineOf({ room: "lobby", offset: 1, from, text: "hi\u001b[2J", ts: 0 });
 * // "<ada> hi\ufffd[2J"
 * ```
 */
export function lineOf(message: Message): string {
  const nick = message.from.nick ?? "anonymous";
  return `<${nick}> ${message.text}`.replace(CONTROL, "\ufffd");
}

/** The lines of `input`, without their line ends. */
async function* linesOf(
  input: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const part of parts) yield part.replace(/\r$/, "");
  }
  if (rest !== "") yield rest;
}

/** Says `text` on stderr: what happens to the chat, not in it. */
function note(text: string): void {
  console.error(`(${text})`);
}

/**
 * Runs the chat with the command line `args` until stdin ends.
 *
 * @returns the exit status: 0 when all went well, 1 when something failed,
 * 2 for a command line it cannot use.
 *
 * @example
 * ```ts
 * Deno.exit(await chat(["--nick", "ada", "http://localhost:8080/r/general"]));
 * ```
 */
export async function chat(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseChatArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`chat: ${error.message} (usage: ${USAGE})`);
    return 2;
  }
  if (options.help) {
    console.log(
      `usage: ${USAGE}\n\nURL is a room's page or natter's ` +
        `WebSocket URL; the default is http://localhost:8080/ (the lobby).`,
    );
    return 0;
  }
  const { endpoint, room: name, nick, token } = options;
  let client;
  try {
    client = await connect(endpoint, { token });
  } catch (error) {
    console.error(`chat: ${(error as Error).message}`);
    return 1;
  }
  using _ = { [Symbol.dispose]: () => client.close() };
  client.addEventListener("close", () => note("connection lost; reconnecting"));
  let room;
  try {
    room = await client.join(name, { nick });
  } catch (error) {
    if (!(error instanceof NatterError)) throw error;
    console.error(`chat: Cannot join "${name}": ${error.message}`);
    return 1;
  }
  const joined = room;
  note(`in #${name} as ${room.nick}; ${room.count} here; Ctrl-D to leave`);
  for (const message of room.backlog) console.log(lineOf(message));
  room.addEventListener("message", (event) => {
    if (!joined.mine(event.detail)) console.log(lineOf(event.detail));
  });
  room.addEventListener("recovery", (event) => {
    note(event.detail.recovered ? "back" : "back; some messages were missed");
  });
  room.addEventListener("error", (event) => {
    note(`lost the room: ${event.detail.message}`);
  });

  const sends = new Set<Promise<void>>();
  for await (const line of linesOf(Deno.stdin.readable)) {
    if (line.trim() === "") continue;
    const sent = room.send(line).then(
      () => {},
      (error: Error) => note(`not sent: ${error.message}`),
    ).finally(() => sends.delete(sent));
    sends.add(sent);
  }
  if (!await within(Promise.all(sends), LAST_SENDS_MS)) {
    console.error(`chat: ${sends.size} messages may not have been sent`);
    return 1;
  }
  await within(room.leave(), LAST_SENDS_MS);
  return 0;
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  const settled = promise.then(() => true, () => true);
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.main) {
  Deno.addSignalListener("SIGINT", () => Deno.exit(130));
  Deno.exit(await chat(Deno.args));
}
