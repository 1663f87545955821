// bin/cli-bundle.mjs on a tiny repository of its own (a temp dir with the builder, two entry files
// and a link to node_modules): a build is fresh until an input is touched or removed; a module's
// import.meta.url in the bundle is its source file's; import.meta.dirname is refused with the
// file and line; the bundle knows it is one (shared/bundle-entry.ts) and the sources do not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, mkdir, writeFile, copyFile, symlink, utimes, rm, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
let dir = "";

// Builds through a child process: the builder's module state (its REPO) is the temp repository's.
const node = (code: string) => run(process.execPath, ["--input-type=module", "-e", code], { cwd: dir });
const call = async (fn: string) => JSON.parse((await node(`const b = await import(${JSON.stringify(pathToFileURL(join(dir, "bin/cli-bundle.mjs")).href)}); console.log(JSON.stringify(await b.${fn}()))`)).stdout);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "headroom-bundle-"));
  await mkdir(join(dir, "bin"));
  await mkdir(join(dir, "planning"), { recursive: true });
  await mkdir(join(dir, "cli"), { recursive: true });
  await copyFile(join(REPO, "bin/cli-bundle.mjs"), join(dir, "bin/cli-bundle.mjs"));
  await symlink(join(REPO, "node_modules"), join(dir, "node_modules"));
  await writeFile(join(dir, "package.json"), `{"type":"module"}\n`);
  await writeFile(join(dir, "cli/where.ts"), `export const where = (): string => import.meta.url;\n`);
  await writeFile(join(dir, "cli/main.ts"), [
    `import { where } from "./where.ts";`,
    `import { bundledEntry } from "${join(REPO, "shared/bundle-entry.ts")}";`,
    `export async function main(argv: string[]): Promise<number> {`,
    `  process.stdout.write(JSON.stringify({ argv, where: where(), main: import.meta.url, worker: bundledEntry("sim-worker.mjs")?.href }) + "\\n");`,
    `  return 0;`,
    `}`,
  ].join("\n"));
  await writeFile(join(dir, "planning/worker.ts"), `export {};\n`);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the CLI bundle", () => {
  it("is fresh after a build, stale once an input is newer or gone; modules keep their source URLs", async () => {
    expect(await call("bundleFresh")).toBe(false);
    expect(await call("buildBundle")).toBeGreaterThanOrEqual(0);
    expect(await call("bundleFresh")).toBe(true);
    const inputs = JSON.parse(await readFile(join(dir, "dist/cli/inputs.json"), "utf8")).inputs as string[];
    expect(inputs.sort()).toEqual(["bin/cli-bundle.mjs", "shared/bundle-entry.ts", "planning/worker.ts", "cli/main.ts", "cli/where.ts"].map((f) => f === "shared/bundle-entry.ts" ? expect.stringMatching(/shared\/bundle-entry\.ts$/) : f).sort());

    const out = JSON.parse((await node(`const { main } = await import("./dist/cli/cli.mjs"); await main(["x"]);`)).stdout);
    expect(out).toEqual({
      argv: ["x"],
      where: pathToFileURL(join(dir, "cli/where.ts")).href,
      main: pathToFileURL(join(dir, "cli/main.ts")).href,
      worker: pathToFileURL(join(dir, "dist/cli/sim-worker.mjs")).href,
    });

    const later = new Date(Date.now() + 5_000);
    await utimes(join(dir, "cli/where.ts"), later, later);
    expect(await call("bundleFresh")).toBe(false);
    await call("buildBundle");
    expect(await call("bundleFresh")).toBe(true);
    await rm(join(dir, "planning/worker.ts"));
    expect(await call("bundleFresh")).toBe(false);
    await writeFile(join(dir, "planning/worker.ts"), `export {};\n`);
  });

  it("refuses import.meta.dirname with its file and line, and keeps the last good bundle", async () => {
    await call("buildBundle");
    await writeFile(join(dir, "cli/where.ts"), `// x\nexport const where = (): string => import.meta.dirname;\n`);
    // newer than the first test's future date, which the last build counted as built
    const later = new Date(Date.now() + 10_000);
    await utimes(join(dir, "cli/where.ts"), later, later);
    const err = await call("buildBundle").then(() => null, (e: { stderr: string }) => e.stderr);
    expect(err).toMatch(/cli\/where\.ts:2:.*import\.meta\.dirname points into dist\//);
    expect(await call("bundleFresh")).toBe(false);
    await node(`await import("./dist/cli/cli.mjs");`);
  });

  it("outside the bundle, bundledEntry is undefined (tsx and vitest run the sources)", async () => {
    const { bundledEntry } = await import("../../shared/bundle-entry.ts");
    expect(bundledEntry("sim-worker.mjs")).toBeUndefined();
  });
});
