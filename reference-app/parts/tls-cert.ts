// The run's TLS certificate for a balancer that terminates TLS (the YAML's `tls:`), made with openssl
// at start: a one-day CA of its own (EC P-256) signs a leaf for IP 127.0.0.1 with the YAML's
// `tls.key` (default RSA-2048, the key most public certificates carry), so a full handshake costs
// HAProxy one signature with that key.
// The CA's key is deleted as soon as the leaf is signed (nothing can sign another certificate with
// it); the leaf's key lives in a 0700 dir under the run's state/ with mode 0600 and goes with the
// run. Clients trust the CA's certificate (public) and only it: see docs/reference-app.md, "TLS".
import { Effect, Scope } from "effect";
import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { StartFailed } from "../errors.ts";
import type { TLS_KEYS } from "../../simulator/model/index.ts";

/** The leaf's key (the YAML's `tls.key`). */
export type TlsKey = (typeof TLS_KEYS)[number];

const NEWKEY: Record<TlsKey, string[]> = {
  "rsa-2048": ["-newkey", "rsa:2048"],
  "rsa-3072": ["-newkey", "rsa:3072"],
  "rsa-4096": ["-newkey", "rsa:4096"],
  "ecdsa-p256": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
};

export interface RunCertificate {
  /** The leaf's certificate and private key in one file, as HAProxy's `crt` reads it (mode 0600). */
  readonly pem: string;
  /** The run's CA certificate (no key), alone in its dir (`trust/`): a client's only trusted root. */
  readonly caFile: string;
  /** The dir that holds them (0700), removed when the run's scope closes. */
  readonly dir: string;
}

const run = promisify(execFile);

/** openssl's argument lists; exported for the unit test of what the certificate says. */
export function opensslSteps(dir: string, key: TlsKey = "rsa-2048"): string[][] {
  const ca = join(dir, "ca"), leaf = join(dir, "balancer");
  return [
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=headroom run CA", "-keyout", `${ca}.key`, "-out", `${ca}.crt`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
    // OpenSSL 3's `req -x509 -CA`: a new key and its certificate signed by the CA in one step
    ["req", "-x509", ...NEWKEY[key], "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-keyout", `${leaf}.key`, "-out", `${leaf}.crt`,
      "-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE",
      "-addext", "extendedKeyUsage=serverAuth"],
  ];
}

/** Makes the run's CA and the balancer's certificate under `<runPath>/state/<label>-tls`. */
export const runCertificate = (runPath: string, openssl: string, key: TlsKey = "rsa-2048", label = "haproxy"): Effect.Effect<RunCertificate, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async (): Promise<RunCertificate> => {
        const dir = join(runPath, "state", `${label}-tls`);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await chmod(dir, 0o700);
        // OpenSSL 3 writes -keyout files 0600 (owner only); the dir is 0700 besides
        for (const args of opensslSteps(dir, key)) await run(openssl, args, { timeout: 30_000 });
        await rm(join(dir, "ca.key"), { force: true });
        // alone in a dir of its own, so SSL_CERT_DIR can point at it too (harness.ts trustEnv)
        await mkdir(join(dir, "trust"), { mode: 0o700 });
        await rename(join(dir, "ca.crt"), join(dir, "trust", "ca.crt"));
        const pem = join(dir, "balancer.pem");
        await writeFile(pem, (await readFile(join(dir, "balancer.crt"), "utf8")) + (await readFile(join(dir, "balancer.key"), "utf8")), { mode: 0o600 });
        await rm(join(dir, "balancer.key"), { force: true });
        return { pem, caFile: join(dir, "trust", "ca.crt"), dir };
      },
      catch: (e) => new StartFailed({ part: `${label} tls`, reason: `openssl could not make the run's certificate: ${String((e as { stderr?: string }).stderr || e)}` }),
    }),
    (c) => Effect.promise(() => rm(c.dir, { recursive: true, force: true })),
  );
