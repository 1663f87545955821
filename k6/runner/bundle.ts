// Bundles a k6 script (TypeScript or JavaScript, with its local imports) into one ESM file with the
// k6 modules left as imports, which is exactly what stock `k6 run` accepts. Virtual modules let the
// harness inject generated data (a scenario's load profile) without writing temporary files.
import { build, type Plugin } from "esbuild";

export interface BundleOptions {
  /** Module specifiers resolved to in-memory source, e.g. { "headroom:config": "export default {...}" }. */
  virtualModules?: Record<string, string>;
  /** A banner comment at the top of the bundle. */
  banner?: string;
}

export class BundleError extends Error {
  override readonly name = "BundleError";
}

export async function bundleScript(entry: string, opts: BundleOptions = {}): Promise<string> {
  const virtual = opts.virtualModules ?? {};
  const plugin: Plugin = {
    name: "k6-externals",
    setup(b) {
      b.onResolve({ filter: /^k6(\/.*)?$/ }, (a) => ({ path: a.path, external: true }));
      b.onResolve({ filter: /^https?:\/\// }, (a) => ({
        errors: [{ text: `remote module '${a.path}' cannot be bundled offline; vendor it into the repository and import it by relative path` }],
      }));
      b.onResolve({ filter: /.*/ }, (a) => (a.path in virtual ? { path: a.path, namespace: "virtual" } : undefined));
      b.onLoad({ filter: /.*/, namespace: "virtual" }, (a) => ({ contents: virtual[a.path], loader: "js" }));
    },
  };
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "es2017",
      mainFields: ["module", "main"],
      plugins: [plugin],
      logLevel: "silent",
      legalComments: "none",
      banner: opts.banner ? { js: opts.banner } : undefined,
    });
    return result.outputFiles[0].text;
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors;
    if (errors?.length) {
      const msg = errors
        .map((er) => (er.location ? `${er.location.file}:${er.location.line}:${er.location.column + 1}: ${er.text}` : er.text))
        .join("\n");
      throw new BundleError(msg);
    }
    throw new BundleError(`${entry}: ${(e as Error).message}`);
  }
}
