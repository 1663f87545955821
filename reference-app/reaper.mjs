// The reference app's last line of defence: a tiny process, started per run, that outlives the
// launcher. The launcher tells it on stdin each process group, broker queue and dir it creates; if
// stdin closes without "done" (the launcher was SIGKILLed or crashed, so its finalizers never ran),
// it kills those process groups, deletes the queues, removes the dir, deletes the run's network
// namespaces and host-side links (regions/netns.ts), and deletes the run's broker vhost and user
// (last: rabbitmqctl takes seconds). Plain JavaScript so it starts in milliseconds
// without tsx.
import { rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline";

const groups = new Set();
const queues = new Set();
const netns = new Set();
const links = new Set();
let dir;
let amqpUrl;
let rabbit; // [rabbitmqctl path, vhost and user name]
let done = false;

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const [verb, ...rest] = line.split(" ");
  const arg = rest.join(" ");
  if (verb === "pid") groups.add(Number(arg));
  else if (verb === "exited") groups.delete(Number(arg));
  else if (verb === "queue") queues.add(arg);
  else if (verb === "amqp") amqpUrl = arg;
  else if (verb === "dir") dir = arg;
  else if (verb === "netns") netns.add(arg);
  else if (verb === "link") links.add(arg);
  else if (verb === "rabbitmq") rabbit = [rest[0], rest[1]];
  else if (verb === "done") done = true;
});

lines.on("close", async () => {
  if (done) process.exit(0);
  for (const pid of groups) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  // Names as regions/netns.ts makes them (hr-<run>-<region>, h<run>...): never anything else.
  for (const l of links) if (/^h[a-z0-9]{1,8}x\d+h$/.test(l)) spawnSync("ip", ["link", "del", l], { stdio: "ignore", timeout: 20_000 });
  for (const n of netns) if (/^hr-[a-z0-9]{1,8}-[A-Za-z0-9_.-]{1,40}$/.test(n)) spawnSync("ip", ["netns", "del", n], { stdio: "ignore", timeout: 20_000 });
  if (queues.size > 0 && amqpUrl) {
    try {
      const amqp = (await import("amqplib")).default;
      const conn = await amqp.connect(amqpUrl);
      const ch = await conn.createChannel();
      for (const q of queues) await ch.deleteQueue(q).catch(() => {});
      await conn.close();
    } catch {
      /* the broker is unreachable: nothing more to do */
    }
  }
  // Give the killed processes a moment to release files before the dir goes.
  await new Promise((r) => setTimeout(r, 300));
  if (dir) rmSync(dir, { recursive: true, force: true });
  // The same deletion as parts/rabbitmq.ts's release (the name is [a-z0-9.-] only, checked there).
  if (rabbit && /^[a-z0-9.-]+$/.test(rabbit[1] ?? "")) {
    const name = rabbit[1];
    spawnSync(rabbit[0], ["--quiet", "eval", `rabbit_vhost:delete(<<"${name}">>, <<"headroom">>), rabbit_auth_backend_internal:delete_user(<<"${name}">>, <<"headroom">>).`], {
      stdio: "ignore",
      timeout: 60_000,
    });
  }
  process.exit(0);
});
