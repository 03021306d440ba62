/**
 * What the terminal chat is asked to do: its flags, and the address a person
 * copies from the browser (`http://host/r/room`, `http://host/` for the
 * lobby) or a WebSocket URL (`ws://host/ws/room`), read into the endpoint
 * to connect to and the room to join.
 *
 * @module
 */

import { DEFAULT_ROOM, isRoomName } from "../protocol/names.ts";

/** The address used when none is given: a natter on this machine. */
export const DEFAULT_URL = "http://localhost:8080/";

/** How to call the chat, for error messages and `--help`. */
export const USAGE = "deno task chat [--nick NICK] [URL]";

/** What the chat was asked to do. */
export interface ChatArgs {
  /** natter's WebSocket endpoint, `ws://host/ws` or `wss://host/ws`. */
  readonly endpoint: string;
  /** The room to join. */
  readonly room: string;
  /** The nick to join with; the server makes one up when absent. */
  readonly nick?: string;
  /** The token the address carried (`?token=`), for a server that needs one. */
  readonly token?: string;
  /** `--help` was asked for. */
  readonly help: boolean;
}

/**
 * A command line the chat cannot make sense of; exit status 2.
 *
 * @example
 * ```ts
 * try {
 *   parseChatArgs(["--verbose"]);
 * } catch (error) {
 *   if (error instanceof UsageError) console.error(`chat: ${error.message}`);
 * }
 * ```
 */
export class UsageError extends Error {
  /** An error saying what is wrong with the command line. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Reads the command line.
 *
 * @throws {UsageError} for an unknown flag, a flag without its value, more
 * than one address, or an address that names no natter room.
 *
 * @example
 * ```ts
 * parseChatArgs(["--nick", "ada", "http://localhost:8080/r/general"]);
 * // { endpoint: "ws://localhost:8080/ws", room: "general", nick: "ada",
 * //   help: false }
 * ```
 */
export function parseChatArgs(args: readonly string[]): ChatArgs {
  let nick: string | undefined;
  let address: string | undefined;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") help = true;
    else if (arg === "--nick" || arg.startsWith("--nick=")) {
      nick = arg === "--nick" ? args[++i] : arg.slice("--nick=".length);
      if (nick === undefined || nick === "") {
        throw new UsageError(`"--nick" needs a nick`);
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`Unknown flag "${arg}"`);
    } else if (address !== undefined) {
      throw new UsageError(
        `One address at most, not "${address}" and "${arg}"`,
      );
    } else address = arg;
  }
  return { ...addressOf(address ?? DEFAULT_URL), nick, help };
}

/**
 * The endpoint and room an address stands for: a page's address (`/` is the
 * lobby, `/r/{room}` a room) or an endpoint's (`/ws` is the lobby,
 * `/ws/{room}` a room), over http(s) or ws(s).
 *
 * @throws {UsageError} when it is not such an address.
 *
 * @example
 * ```ts
 * addressOf("ws://localhost:8080/ws/general");
 * // { endpoint: "ws://localhost:8080/ws", room: "general" }
 * addressOf("https://chat.example.com/?token=abc");
 * // { endpoint: "wss://chat.example.com/ws", room: "lobby", token: "abc" }
 * ```
 */
export function addressOf(
  address: string,
): { endpoint: string; room: string; token?: string } {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new UsageError(`Cannot read "${address}" as a URL`);
  }
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) {
    throw new UsageError(`Cannot chat at "${address}": not http(s) or ws(s)`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  const match = /^(?:|\/ws|\/r\/([^/]+)|\/ws\/([^/]+))$/.exec(path);
  if (!match) {
    throw new UsageError(`Cannot find a room in "${address}"`);
  }
  const room = match[1] ?? match[2] ?? DEFAULT_ROOM;
  if (!isRoomName(room)) {
    throw new UsageError(`"${room}" is not a room name`);
  }
  const endpoint = `${secure ? "wss:" : "ws:"}//${url.host}/ws`;
  const token = url.searchParams.get("token") ?? undefined;
  return token === undefined ? { endpoint, room } : { endpoint, room, token };
}
