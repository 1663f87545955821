// The await transform: which calls become awaited, which functions async, and what is refused.
import { describe, expect, it } from "vitest";
import { transformBundle, ScriptTransformError } from "./transform.ts";

const t = (code: string) => transformBundle(code, "test.js").factorySource;

describe("transformBundle", () => {
  it("awaits k6's blocking calls through default, named and namespace imports and (0, x.f)() calls", () => {
    const out = t(`import http from "k6/http"; import { sleep, group as g } from "k6"; import * as ns from "k6/http";
function stdin_default() { const r = http.get("u"); sleep(1); (0, ns.post)("u"); ns.default.put("u"); g("x", () => { http.del("u"); }); return r.status; }
export { stdin_default as default };`);
    expect(out).toContain("async function stdin_default()");
    expect(out).toContain('(await http.get("u"))');
    expect(out).toContain("(await sleep(1))");
    expect(out).toContain('(await (0, ns.post)("u"))');
    expect(out).toContain('(await ns.default.put("u"))');
    expect(out).toContain('(await g("x", async () => { (await http.del("u")); }))');
    expect(out).toContain('"default": stdin_default');
  });

  it("propagates through helper functions, arrow constants and object-literal methods, leaving pure code alone", () => {
    const out = t(`import http from "k6/http";
const api = { load(u) { return http.get(u); }, pure(x) { return x + 1; } };
const fetchIt = (u) => api.load(u);
function twice(u) { fetchIt(u); return fetchIt(u); }
function add(a, b) { return a + b; }
export default function () { const n = add(1, 2); [1, 2].map((x) => x * 2); return twice("u" + n + api.pure(1)); }`);
    expect(out).toContain("async load(u) { return (await http.get(u)); }");
    expect(out).toContain("pure(x) { return x + 1; }");
    expect(out).toContain("const fetchIt = async (u) => (await api.load(u));");
    expect(out).toContain("async function twice(u) { (await fetchIt(u)); return (await fetchIt(u)); }");
    expect(out).toContain("function add(a, b) { return a + b; }");
    expect(out).toContain("[1, 2].map((x) => x * 2)");
    expect(out).toMatch(/const __k6_default = async function/);
  });

  it("accepts a blocking arrow function as the default export", () => {
    expect(t(`import http from "k6/http";\nexport default () => http.get("u");`)).toContain('const __k6_default = async () => (await http.get("u"));');
  });

  it("refuses a blocking function passed where it cannot be awaited, naming the line", () => {
    expect(() => t(`import http from "k6/http";\nexport default function () {\n  ["a", "b"].forEach((u) => http.get(u));\n}`)).toThrow(
      /test\.js \(bundled\) line 3: this function makes blocking k6 calls .* used as a value/,
    );
    expect(() => t(`import { sleep } from "k6";\nfunction nap() { sleep(1); }\nexport default function () { setTimeout(nap, 1); }`)).toThrow(
      /function 'nap' makes blocking k6 calls/,
    );
  });

  it("refuses HTTP requests in the init context, and non-k6 external imports", () => {
    expect(() => t(`import http from "k6/http";\nhttp.get("u");\nexport default function () {}`)).toThrow(/line 2: http\.get\(\) is called in the init context/);
    expect(() => t(`import x from "lodash";\nexport default function () {}`)).toThrow(ScriptTransformError);
  });

  it("produces a factory that gives each VU its own module state and __ITER", () => {
    const src = t(`let counter = 0;\nexport default function () { counter++; return [__VU, __ITER, counter, __ENV.X]; }`);
    // biome-ignore lint/security/noGlobalEval: indirect eval runs the transformed script in a fresh scope, as the runner does
    const factory = (0, eval)(src);
    const a = factory(() => ({}), { X: "x" }, 1, () => "");
    const b = factory(() => ({}), { X: "x" }, 2, () => "");
    a.exports.default();
    a.setIter(7);
    expect(a.exports.default()).toEqual([1, 7, 2, "x"]);
    expect(b.exports.default()).toEqual([2, 0, 1, "x"]);
  });
});
