// The run's certificate (tls-cert.ts): made by openssl, signed by a CA whose key is gone, for IP
// 127.0.0.1 only, its key readable by the launcher's user alone, all of it removed with the run.
import { describe, expect, it } from "vitest";
import { Effect } from "effect";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCertificate } from "./tls-cert.ts";

const openssl = (() => {
  try {
    execFileSync("openssl", ["version"]);
    return "openssl";
  } catch {
    return undefined;
  }
})();

describe.skipIf(!openssl)("runCertificate", () => {
  it("signs an RSA-2048 leaf for 127.0.0.1 with a CA whose key is deleted; 0700 dir, 0600 key; removed at the end", async () => {
    const run = mkdtempSync(join(tmpdir(), "headroom-tls-test-"));
    try {
      let seen: { dir: string; files: string[]; trust: string[]; dirMode: number; pemMode: number; leaf: X509Certificate; ca: X509Certificate; pem: string } | undefined;
      await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const c = yield* runCertificate(run, openssl!, "rsa-2048");
            const pem = readFileSync(c.pem, "utf8");
            seen = {
              dir: c.dir,
              files: readdirSync(c.dir).sort(),
              trust: readdirSync(join(c.dir, "trust")),
              dirMode: statSync(c.dir).mode & 0o777,
              pemMode: statSync(c.pem).mode & 0o777,
              leaf: new X509Certificate(pem),
              ca: new X509Certificate(readFileSync(c.caFile)),
              pem,
            };
          }),
        ),
      );
      const s = seen!;
      expect(s.files).toEqual(["balancer.crt", "balancer.pem", "trust"]); // no ca.key, no loose key; the CA alone in trust/
      expect(s.trust).toEqual(["ca.crt"]);
      expect(s.dirMode).toBe(0o700);
      expect(s.pemMode).toBe(0o600);
      expect(s.pem).toMatch(/-----BEGIN PRIVATE KEY-----/);
      expect(s.leaf.verify(s.ca.publicKey)).toBe(true);
      expect(s.leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
      expect(s.leaf.checkIP("10.0.0.1")).toBeUndefined();
      expect(s.leaf.ca).toBe(false);
      expect(s.ca.ca).toBe(true);
      expect(s.leaf.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(existsSync(s.dir)).toBe(false); // the scope closed: dir and key gone
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });
});
