// The consumers of reference-app/bench/confirm-load.ts, in a process of their own as the app's
// workers are: one per partition queue named on the command line, prefetch 1, 25 ms per message
// (partitioned-queue's service), then ack. Says "ready" over IPC; ends when the parent disconnects.
import amqp from "amqplib";

const [url, names] = [process.argv[2], process.argv[3]?.split(",")];
if (!url || !names) {
  console.error("usage: confirm-consumers.ts AMQP_URL QUEUE[,QUEUE...]");
  process.exit(2);
}
const conn = await amqp.connect(url, { noDelay: true });
const chans = await Promise.all(names.map(async (name) => {
  const ch = await conn.createChannel();
  await ch.prefetch(1);
  await ch.consume(name, (msg) => {
    if (msg) setTimeout(() => ch.ack(msg), 25);
  }, { noAck: false });
  return ch;
}));
process.send?.("ready");
await new Promise<void>((r) => process.once("disconnect", r));
await Promise.all(chans.map((c) => c.close().catch(() => {})));
await conn.close().catch(() => {});
