/**
 * The settings of connection tokens: the key every WebSocket upgrade's JWT
 * is verified with, and the claims it must carry. Part of the settings
 * table (settings.ts), listed under "Tokens".
 *
 * @module
 */

import type { Setting } from "./setting.ts";

/**
 * The token settings, by the `Config` field each sets.
 *
 * @example
 * ```ts
 * TOKENS.jwtSecret.flag; // "jwt-secret"
 * ```
 */
// deno-fmt-ignore -- a table: a setting's fields together, a line or two each
export const TOKENS = {
  jwtSecret: {
    flag: "jwt-secret", env: "NATTER_JWT_SECRET", group: "tokens",
    arg: "SECRET", type: "string", minBytes: 32,
    help: "every upgrade needs an HS256 token signed with this secret, as " +
      "?token= or Authorization: Bearer",
  },
  jwtPublicKey: {
    flag: "jwt-public-key", env: "NATTER_JWT_PUBLIC_KEY", group: "tokens",
    arg: "FILE", type: "string",
    help: "every upgrade needs an RS256 or ES256 token verified with this " +
      "PEM public key",
  },
  jwtIssuer: {
    flag: "jwt-issuer", env: "NATTER_JWT_ISSUER", group: "tokens",
    arg: "ISS", type: "string",
    help: 'with a token key: tokens must carry this "iss"',
  },
  jwtAudience: {
    flag: "jwt-audience", env: "NATTER_JWT_AUDIENCE", group: "tokens",
    arg: "AUD", type: "string",
    help: 'with a token key: tokens must name this "aud"',
  },
} as const satisfies Record<string, Setting>;
