// The compiled CLI: an esbuild bundle of cli/main.ts (and of the simulation worker thread) in
// dist/cli/, so `headroom` starts without transpiling TypeScript on every call (tsx took about a
// second before the first line of the CLI ran). Built by `npm ci`/`npm install` (the `prepare`
// script runs this file) and again on the first run after a source changed.
//
// Stale means: a file the last build read is newer than that build, or is gone, or the bundle is
// missing. The check stats the build's inputs (about 170 files, a few milliseconds; listed in
// dist/cli/inputs.json) and never reads them, so it trusts modification times: a checkout, an edit
// or a `git stash` all set a new one. A build records the time it started, so a file edited while
// it ran counts as newer and the next run builds again (a file dated in the future counts as built).
//
// Plain JavaScript, so it runs before anything can transpile TypeScript. Dependencies stay external
// (loaded from node_modules); code splitting keeps what a command does not use unloaded (`--help`
// loads neither effect nor bullmq). Every output is written under a temporary name and renamed, so
// two commands building at once (parallel tests) never read a half-written file; chunk names carry
// a content hash, so a running command that loads a chunk later still finds its own build's.
import { statSync, readFileSync, writeFileSync, renameSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
export const OUT_DIR = join(REPO, "dist", "cli");
const MANIFEST = join(OUT_DIR, "inputs.json");
/** Entry points: the command line and the worker thread of the simulation pool (planning/pool.ts). */
const ENTRIES = { cli: "cli/main.ts", "sim-worker": "planning/worker.ts" };
/** Files of older builds (chunks, a crashed build's temporaries) untouched this long are removed. */
const OLD_FILE_MS = 24 * 3600 * 1000;

/** True when dist/cli/ holds a bundle at least as new as every file it was built from. */
export function bundleFresh() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
    for (const name of Object.keys(ENTRIES)) statSync(join(OUT_DIR, `${name}.mjs`));
  } catch {
    return false;
  }
  if (typeof manifest.started !== "number" || !Array.isArray(manifest.inputs)) return false;
  for (const rel of manifest.inputs) {
    let mtime;
    try {
      mtime = statSync(join(REPO, rel)).mtimeMs;
    } catch {
      return false;
    }
    if (mtime > manifest.started) return false;
  }
  return true;
}

/**
 * Code that finds files next to its source (`new URL("./scripts/x.ts", import.meta.url)`: k6
 * scripts, the dashboard, the reference app's entries) must find them from the bundle too: each
 * module's `import.meta.url` becomes its source file's URL, computed from the bundle's own
 * location (so the repository can move). `import.meta.dirname`/`filename` are refused by name
 * rather than silently pointing into dist/.
 */
const sourceUrls = {
  name: "source-urls",
  setup(build) {
    build.onLoad({ filter: /\.(ts|tsx|mts|mjs|js)$/ }, async (args) => {
      if (args.path.includes("/node_modules/")) return undefined;
      const text = await readFile(args.path, "utf8");
      const bad = /\bimport\.meta\.(dirname|filename)\b/.exec(text);
      if (bad) {
        const line = text.slice(0, bad.index).split("\n").length;
        return { errors: [{ text: `import.meta.${bad[1]} points into dist/ in the bundle: use new URL(..., import.meta.url)`, location: { file: args.path, line } }] };
      }
      const rel = relative(OUT_DIR, args.path).split("\\").join("/");
      const contents = text.replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
      const loader = args.path.endsWith(".tsx") ? "tsx" : /\.m?ts$/.test(args.path) ? "ts" : "js";
      return { contents, loader };
    });
  },
};

/** Builds dist/cli/ from the sources; returns how long it took in milliseconds. */
export async function buildBundle() {
  const started = Date.now();
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: ENTRIES,
    outdir: OUT_DIR,
    outExtension: { ".js": ".mjs" },
    chunkNames: "[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    // shared/bundle-entry.ts: how code in the bundle knows it is there (tsx and vitest leave it undefined).
    define: { HEADROOM_BUNDLE_URL: "import.meta.url" },
    sourcemap: "linked",
    metafile: true,
    write: false,
    logLevel: "silent",
    plugins: [sourceUrls],
  });
  mkdirSync(OUT_DIR, { recursive: true, mode: 0o755 });
  const tmp = `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const put = (file, data) => {
    writeFileSync(file + tmp, data);
    renameSync(file + tmp, file);
  };
  // Chunks first, entries after, the manifest last: a reader that sees the new manifest finds every file.
  const written = new Set();
  const entryFiles = new Set(Object.keys(ENTRIES).flatMap((n) => [`${n}.mjs`, `${n}.mjs.map`]));
  const files = [...result.outputFiles].sort((a, b) => Number(entryFiles.has(relative(OUT_DIR, a.path))) - Number(entryFiles.has(relative(OUT_DIR, b.path))));
  for (const f of files) {
    put(f.path, f.contents);
    written.add(relative(OUT_DIR, f.path));
  }
  const inputs = [...Object.keys(result.metafile.inputs), relative(REPO, fileURLToPath(import.meta.url))];
  // A file dated in the future (an archive from a machine whose clock runs ahead) would make every
  // later run stale: such a date counts as built. An edit during the build has today's date, so it
  // still makes the next run build again.
  let stamp = started;
  const now = Date.now();
  for (const rel of inputs) {
    const mtime = statSync(join(REPO, rel)).mtimeMs;
    if (mtime > now) stamp = Math.max(stamp, mtime);
  }
  put(MANIFEST, JSON.stringify({ started: stamp, esbuild: esbuild.version, inputs }, null, 1) + "\n");
  for (const name of readdirSync(OUT_DIR)) {
    if (written.has(name) || name === "inputs.json") continue;
    try {
      if (Date.now() - statSync(join(OUT_DIR, name)).mtimeMs > OLD_FILE_MS) rmSync(join(OUT_DIR, name), { force: true });
    } catch { /* another build removed it */ }
  }
  return Date.now() - started;
}

/**
 * The CLI's `main`, from the bundle (built first when stale). When dist/ cannot be written (a
 * read-only install), from the TypeScript sources through tsx, as before the bundle, with a note.
 */
export async function loadMain() {
  if (!bundleFresh()) {
    try {
      await buildBundle();
    } catch (e) {
      if (!["EACCES", "EROFS", "EPERM"].includes(e?.code)) throw e;
      process.stderr.write(`headroom: cannot write ${relative(process.cwd(), OUT_DIR) || OUT_DIR} (${e.code}); running from the TypeScript sources\n`);
      const { register } = await import("tsx/esm/api");
      register();
      return (await import(pathToFileURL(join(REPO, "cli/main.ts")).href)).main;
    }
  }
  return (await import(pathToFileURL(join(OUT_DIR, "cli.mjs")).href)).main;
}

// `node bin/cli-bundle.mjs` (the prepare script): build now, whatever the state.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const ms = await buildBundle();
    process.stdout.write(`headroom: CLI bundle built in ${relative(process.cwd(), OUT_DIR) || OUT_DIR} (${ms} ms)\n`);
  } catch (e) {
    process.stderr.write(`headroom: building the CLI bundle failed:\n${e?.message ?? e}\n`);
    process.exitCode = 1;
  }
}
