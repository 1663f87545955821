// `headroom fit` through the CLI's own entry (cli/main.ts, in this process: a child process costs
// seconds of start-up on a loaded machine), on input with nothing usable left (a cut Zipkin file
// whose roots were lost): exit 2 and a message that says what was dropped and how many spans.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../cli/main.ts";

const dir = mkdtempSync(join(tmpdir(), "headroom-fit-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("headroom fit", () => {
  it("exits 2 and says what was dropped when nothing is usable", async () => {
    const cut = join(dir, "cut.json");
    writeFileSync(cut, readFileSync("fit/fixtures/reference-app.zipkin.json", "utf8").slice(0, 3000));
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    let code: number, text: string;
    try {
      code = await main(["fit", cut, "--out", join(dir, "none.yaml")]);
      text = stderr.mock.calls.map((c) => String(c[0])).join("");
    } finally {
      stderr.mockRestore();
    }
    expect(code).toBe(2);
    expect(text).toMatch(/no usable request .*truncated JSON at the end of the file \(its spans dropped\): 1 span\(s\); orphan span: .*: \d+ span\(s\)/);
  });
});
