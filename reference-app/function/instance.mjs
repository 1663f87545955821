// One instance of a function (reference-app/function/dispatcher.ts forks it): it waits its init
// (argv[2] milliseconds, the YAML's cold_start drawn by the dispatcher) after the process started,
// says it is ready, then runs each invocation the dispatcher sends (a wait of its service time)
// and answers. It exits when the dispatcher goes away.
const initMs = Number(process.argv[2] ?? 0);
setTimeout(() => { if (process.connected) process.send({ t: "ready" }); }, initMs);
process.on("message", (m) => {
  if (m?.t === "run") setTimeout(() => { if (process.connected) process.send({ t: "done", id: m.id }); }, m.ms);
});
process.on("disconnect", () => process.exit(0));
