// `headroom fit` as a user runs it, on input with nothing usable left (a cut Zipkin file whose roots
// were lost): exit 2 and a message that says what was dropped and how many spans. One process start
// (seconds on a loaded machine); the writing path is tested in-process (write.test.ts).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "headroom-fit-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fit = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["bin/headroom.mjs", "fit", ...args], (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr }));
  });

describe("headroom fit", () => {
  it("exits 2 and says what was dropped when nothing is usable", async () => {
    const cut = join(dir, "cut.json");
    const z = readFileSync("fit/fixtures/reference-app.zipkin.json", "utf8");
    writeFileSync(cut, z.slice(0, 3000));
    const bad = await fit(cut, "--out", join(dir, "none.yaml"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no usable request .*truncated JSON at the end of the file \(its spans dropped\): 1 span\(s\); orphan span: .*: \d+ span\(s\)/);
  });
});
