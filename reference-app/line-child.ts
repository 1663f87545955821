// A helper process the run talks to over its stdin/stdout in JSON lines: its first line says the
// ports it listens on, then it answers each command with one line, in order. The region relays and
// the link relay are such processes. Closing its stdin asks it to exit (it also exits when the
// starting process dies, since its stdin then closes); `stop()` waits for that, kills it after 5 s,
// and returns what it said on stderr (its last words: chunks forwarded, CPU seconds).
import { spawn } from "node:child_process";

export interface LineChild {
  readonly pid: number;
  readonly ports: readonly number[];
  /** Sends one command; resolves with the child's one-line answer. */
  ask(cmd: object): Promise<string>;
  stop(): Promise<string>;
}

/** Starts argv (argv[0] the program) and resolves once its ports line came; `label` names it in errors. */
export async function spawnLineChild(argv: readonly string[], label: string): Promise<LineChild> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const answers: Array<(line: string) => void> = [];
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = "";
    let first = true;
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (first) {
          first = false;
          resolve((JSON.parse(line) as { ports: number[] }).ports);
        } else answers.shift()?.(line);
      }
    });
    child.once("exit", (code) => reject(new Error(`${label} exited ${code} before listening: ${err.trim().split("\n").slice(-3).join(" | ")}`)));
  });
  return {
    pid: child.pid!,
    ports,
    ask: (cmd) =>
      new Promise<string>((resolve, reject) => {
        if (child.exitCode !== null || !child.stdin!.writable) return reject(new Error(`${label} is not running`));
        answers.push(resolve);
        child.stdin!.write(`${JSON.stringify(cmd)}\n`);
      }),
    stop: async () => {
      child.stdin!.end();
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
      return err.trim();
    },
  };
}
