// One instance of a function (function/spawner.mjs forks it for function/dispatcher.ts): it waits
// its init (argv[2] milliseconds, the YAML's cold_start drawn by the dispatcher) after the process
// started, says it is ready, then runs each invocation the dispatcher sends (a wait of its service
// time) and answers. It talks to the dispatcher directly over the Unix socket argv[3] (in the
// dispatcher's private directory), not through the process that forked it, so that the dispatcher
// never waits on a fork: it says { t: "hello", id: argv[4], pid } first, then newline-delimited
// JSON: { t: "ready" }, { t: "run", id, ms } in, { t: "done", id } out. It exits when the
// dispatcher goes away (the socket closes) or its spawner does (its IPC channel closes).
import { createConnection } from "node:net";

const initMs = Number(process.argv[2] ?? 0);
const socketPath = process.argv[3];
const id = Number(process.argv[4]);
if (!socketPath || !Number.isInteger(id)) throw new Error("instance.mjs: usage: node instance.mjs <init ms> <dispatcher socket path> <instance id>");

const sock = createConnection(socketPath);
const send = (m) => { if (!sock.destroyed) sock.write(`${JSON.stringify(m)}\n`); };
// Written before the connection is up, these wait in the socket's buffer.
send({ t: "hello", id, pid: process.pid });
setTimeout(() => send({ t: "ready" }), initMs);
let buffered = "";
sock.setEncoding("utf8");
sock.on("data", (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf("\n")) >= 0) {
    const m = JSON.parse(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
    if (m.t === "run") setTimeout(() => send({ t: "done", id: m.id }), m.ms);
  }
});
sock.on("close", () => process.exit(0));
sock.on("error", () => process.exit(1));
process.on("disconnect", () => process.exit(0));
