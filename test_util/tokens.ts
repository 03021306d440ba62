/**
 * Test helpers: connection tokens signed with jose, and key pairs in PEM.
 *
 * @module
 */

import { exportSPKI, generateKeyPair, SignJWT } from "jose";

/** The HS256 secret the tests' servers use. */
export const SECRET = "a test secret that is long enough for HS256";

/** Claims for {@linkcode sign}, besides the standard ones it sets. */
export interface Claims {
  sub?: string;
  name?: unknown;
  rooms?: unknown;
  [claim: string]: unknown;
}

/**
 * A JWT with `claims`, signed with `key` (the HS256 secret by default),
 * expiring in `expiresIn` (an hour by default; negative for the past).
 */
export async function sign(
  claims: Claims,
  options: {
    key?: CryptoKey | Uint8Array;
    alg?: string;
    expiresIn?: number;
  } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? "HS256" })
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(options.key ?? new TextEncoder().encode(SECRET));
}

/** A fresh key pair for `alg` with its public key in PEM (SPKI). */
export async function keyPair(
  alg: "RS256" | "ES256",
): Promise<{ privateKey: CryptoKey; publicPem: string }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
  });
  return { privateKey, publicPem: await exportSPKI(publicKey) };
}
