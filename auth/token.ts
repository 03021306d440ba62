/**
 * Connection tokens: JWTs checked before the upgrade (`--jwt-secret` for
 * HS256, `--jwt-public-key` for RS256 or ES256), verified by jose. A token's
 * `sub` is the client's identity, its `name` the nick, and its optional
 * `rooms` the rooms it may join (a trailing `*` matches a prefix).
 *
 * @module
 */

import { importSPKI, jwtVerify, type KeyObject } from "jose";
import { parseNick } from "../protocol/names.ts";

/** Who a verified token says the client is. */
export interface Identity {
  /** The token's `sub`. */
  readonly user: string;
  /** The token's `name`, the nick a join cannot override (R5-checked). */
  readonly nick?: string;
  /** The rooms it may join; every room when absent. */
  readonly rooms?: readonly string[];
  /**
   * When the token expires (its `exp`), in milliseconds since the Unix
   * epoch: the connection is closed then. Never, when the token has none.
   */
  readonly expires?: number;
}

/** Why a token was refused; the message is safe to show the client. */
export class TokenError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "TokenError";
  }
}

/** Checks tokens; see {@linkcode createVerifier}. */
export type Verifier = (token: string) => Promise<Identity>;

/** Options for {@linkcode createVerifier}: a secret or a public key. */
export interface VerifierOptions {
  /** The HS256 secret. */
  secret?: string;
  /** A PEM public key (SPKI) for RS256 or ES256. */
  publicKey?: string;
  /**
   * The `iss` every token must carry.
   * @default {any, or none}
   */
  issuer?: string;
  /**
   * An audience every token's `aud` must name.
   * @default {any, or none}
   */
  audience?: string;
}

/**
 * A verifier for the configured key, or `undefined` when tokens are off.
 *
 * @throws {TypeError} when the public key is not an RS256 or ES256 PEM key.
 */
export async function createVerifier(
  options: VerifierOptions,
): Promise<Verifier | undefined> {
  let key: Uint8Array | KeyObject | CryptoKey;
  let algorithms: string[];
  if (options.secret !== undefined) {
    key = new TextEncoder().encode(options.secret);
    algorithms = ["HS256"];
  } else if (options.publicKey !== undefined) {
    [key, algorithms] = await importPublicKey(options.publicKey);
  } else {
    return undefined;
  }
  const { issuer, audience } = options;
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        issuer,
        audience,
      }));
    } catch (error) {
      throw new TokenError(`Invalid token: ${(error as Error).message}`);
    }
    return identityOf(payload);
  };
}

async function importPublicKey(
  pem: string,
): Promise<[CryptoKey | KeyObject, string[]]> {
  for (const alg of ["RS256", "ES256"]) {
    try {
      return [await importSPKI(pem, alg), [alg]];
    } catch {
      // Not a key of this algorithm: try the next.
    }
  }
  throw new TypeError(
    "Cannot use the public key: it is not an RS256 or ES256 key in PEM (SPKI)",
  );
}

function identityOf(payload: Record<string, unknown>): Identity {
  const { sub, name, rooms, exp } = payload;
  if (typeof sub !== "string" || sub === "") {
    throw new TokenError(`Invalid token: "sub" must be a non-empty string`);
  }
  let nick: string | undefined;
  if (name !== undefined) {
    nick = typeof name === "string" ? parseNick(name) : undefined;
    if (nick === undefined) {
      throw new TokenError(`Invalid token: "name" is not a valid nick`);
    }
  }
  if (
    rooms !== undefined &&
    !(Array.isArray(rooms) && rooms.every((r) => typeof r === "string"))
  ) {
    throw new TokenError(`Invalid token: "rooms" must be a list of names`);
  }
  // jose has checked that `exp`, if any, is a number in the future.
  const expires = typeof exp === "number" ? exp * 1000 : undefined;
  return { user: sub, nick, rooms, expires };
}

/**
 * The token a request carries: `?token=` or `Authorization: Bearer`.
 *
 * @returns the token, `undefined` when there is none, or a
 * {@linkcode TokenError} for an Authorization header that is not a bearer
 * token.
 */
export function tokenOf(request: Request, url: URL): string | undefined {
  const header = request.headers.get("authorization");
  if (header !== null) {
    const match = /^Bearer +([^ ]+) *$/i.exec(header);
    if (!match) {
      throw new TokenError(`The "Authorization" header is not a bearer token`);
    }
    return match[1];
  }
  return url.searchParams.get("token") ?? undefined;
}

/** Whether `identity` may join `room`: its `rooms` name it or a prefix of it. */
export function mayJoin(identity: Identity | undefined, room: string): boolean {
  const rooms = identity?.rooms;
  if (!rooms) return true;
  return rooms.some((pattern) =>
    pattern.endsWith("*")
      ? room.startsWith(pattern.slice(0, -1))
      : room === pattern
  );
}
