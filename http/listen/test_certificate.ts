/**
 * Test helper: a throwaway certificate authority and a server certificate
 * it signed for 127.0.0.1 and localhost, made with `openssl` in a temporary
 * directory, so that a test can serve TLS and a client can trust it.
 *
 * @module
 */

/** The PEM texts of a test certificate. */
export interface TestCertificate {
  /** The authority's certificate, for a client's `caCerts`. */
  ca: string;
  /** The server's certificate. */
  cert: string;
  /** The server's private key. */
  key: string;
  /** The directory holding them as `ca.pem`, `cert.pem` and `key.pem`. */
  dir: string;
}

async function openssl(args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    const why = new TextDecoder().decode(stderr);
    throw new Error(`Cannot run "openssl ${args[0]}": ${why}`);
  }
}

/**
 * Makes a CA and a certificate for 127.0.0.1 valid for a day, with P-256
 * keys. Remove `dir` when done.
 */
export async function makeTestCertificate(): Promise<TestCertificate> {
  const dir = await Deno.makeTempDir({ prefix: "natter_cert_" });
  const file = (name: string) => `${dir}/${name}`;
  const newKey = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
  ];
  await openssl([
    "req",
    "-x509",
    ...newKey,
    "-days",
    "1",
    "-subj",
    "/CN=natter throwaway CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  ]);
  await openssl([
    "req",
    "-new",
    ...newKey,
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    file("key.pem"),
    "-out",
    file("server.csr"),
  ]);
  await Deno.writeTextFile(
    file("san.cnf"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    file("san.cnf"),
    "-out",
    file("cert.pem"),
  ]);
  const [ca, cert, key] = await Promise.all(
    ["ca.pem", "cert.pem", "key.pem"].map((n) => Deno.readTextFile(file(n))),
  );
  return { ca, cert, key, dir };
}
