// The scenario's queues on the shared RabbitMQ broker: one queue and one dead-letter queue per queue
// component and run, named after the run so parallel runs never meet, deleted when the run ends.
// max_length and overflow map to x-max-length and x-overflow.
// Least privilege: where `rabbitmqctl` works (root, or the broker's own user), each run gets its own
// vhost and user with a per-run random password, so another run or local user (guest included:
// it has no permissions there) cannot read or consume its queues. Created with one
// `import_definitions` (the password only as a salted SHA-256 hash, on stdin, never argv), removed
// with one `eval` at the end (and by the reaper if the launcher dies). It trades ~2-5 s at start and
// at stop (each rabbitmqctl call boots an Erlang VM). Without rabbitmqctl the run uses the given
// URL's vhost, as before, and says so.
import { Effect, Scope } from "effect";
import amqp from "amqplib";
import { createHash, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { StartFailed } from "../errors.ts";
import type { QueuePlan } from "../plan.ts";
import type { QueueNames } from "../config.ts";

export interface Broker {
  readonly conn: amqp.ChannelModel;
  readonly channel: amqp.Channel;
}

export interface BrokerAccess {
  /** What the run's processes connect with: the run's user, password and vhost, or the given URL. */
  readonly url: string;
  /** Set when the run has its own vhost and user (both named `vhost`). */
  readonly vhost?: string;
  /** Set when it does not: why the run shares the given URL's vhost. */
  readonly shared?: string;
}

/** RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)), 4-byte salt. */
export function rabbitPasswordHash(password: string, salt = randomBytes(4)): string {
  return Buffer.concat([salt, createHash("sha256").update(Buffer.concat([salt, Buffer.from(password, "utf8")])).digest()]).toString("base64");
}

/** The definitions that create the run's vhost and its only user, with every permission there. */
export function runDefinitions(name: string, password: string): object {
  return {
    users: [{ name, password_hash: rabbitPasswordHash(password), hashing_algorithm: "rabbit_password_hashing_sha256", tags: [] }],
    vhosts: [{ name }],
    permissions: [{ user: name, vhost: name, configure: ".*", write: ".*", read: ".*" }],
  };
}

/** The Erlang expression that deletes the run's vhost (and with it its queues) and its user. */
export function deleteRunExpr(name: string): string {
  if (!/^[a-z0-9.-]+$/.test(name)) throw new Error(`unexpected broker name ${name}`);
  return `rabbit_vhost:delete(<<"${name}">>, <<"headroom">>), rabbit_auth_backend_internal:delete_user(<<"${name}">>, <<"headroom">>).`;
}

/** `url` with the run's user, password and vhost. */
export function runUrl(base: string, name: string, password: string): string {
  const u = new URL(base);
  u.username = encodeURIComponent(name);
  u.password = password;
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** `url` without its password, for run.json and messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

function rabbitmqctl(cmd: string, args: string[], input: string | undefined, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, ["--quiet", ...args], { timeout: 60_000, signal }, (err, _out, stderr) =>
      err ? reject(new Error(`rabbitmqctl ${args[0]}: ${(stderr || err.message).trim().split("\n")[0]}`)) : resolve(),
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end(input ?? "");
  });
}

/**
 * The run's own vhost and user (named `headroom.<run>`), deleted when the scope closes. `onName`
 * hears the name before anything is created (the reaper deletes it if the launcher dies). Never
 * fails: without a working rabbitmqctl the run shares `baseUrl`'s vhost, and `shared` says why.
 */
export const brokerAccess = (
  baseUrl: string,
  runId: string,
  ctl: string | undefined,
  onName: (name: string) => void = () => {},
): Effect.Effect<BrokerAccess, never, Scope.Scope> => {
  if (!ctl) return Effect.succeed({ url: baseUrl, shared: "rabbitmqctl is not installed" });
  const name = `headroom.${runId}`;
  const password = randomBytes(24).toString("hex");
  return Effect.acquireRelease(
    Effect.promise(async (): Promise<BrokerAccess> => {
      onName(name);
      try {
        await rabbitmqctl(ctl, ["import_definitions", "--format", "json"], JSON.stringify(runDefinitions(name, password)));
        return { url: runUrl(baseUrl, name, password), vhost: name };
      } catch (e) {
        return { url: baseUrl, shared: e instanceof Error ? e.message : String(e) };
      }
    }),
    (access) => (access.vhost ? Effect.promise(() => rabbitmqctl(ctl, ["eval", deleteRunExpr(name)], undefined).catch(() => {})) : Effect.void),
  );
};

/** One connection for the launcher (declare, delete, depth sampling), closed at the end. */
export const brokerConnection = (url: string): Effect.Effect<Broker, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const conn = await amqp.connect(url);
        conn.on("error", () => {});
        const channel = await conn.createChannel();
        channel.on("error", () => {});
        return { conn, channel };
      },
      catch: (e) => new StartFailed({ part: "rabbitmq", reason: `cannot connect: ${String(e)}` }),
    }),
    (b) => Effect.promise(() => b.conn.close().catch(() => {})),
  );

/** `onNames` hears the names before they are declared (the reaper deletes them if the launcher dies). */
export const declareQueue = (
  broker: Broker,
  runId: string,
  plan: QueuePlan,
  onNames: (names: QueueNames) => void = () => {},
): Effect.Effect<QueueNames, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const names = { queue: `headroom.${runId}.${plan.name}`, dlq: `headroom.${runId}.${plan.name}.dead` };
        onNames(names);
        await broker.channel.assertQueue(names.dlq, { durable: true, autoDelete: false });
        const args: Record<string, unknown> = {};
        if (plan.maxLength !== undefined) {
          args["x-max-length"] = plan.maxLength;
          args["x-overflow"] = plan.overflow === "drop_head" ? "drop-head" : "reject-publish";
        }
        await broker.channel.assertQueue(names.queue, { durable: true, autoDelete: false, arguments: args });
        return names;
      },
      catch: (e) => new StartFailed({ part: `rabbitmq queue ${plan.name}`, reason: String(e) }),
    }),
    (names) =>
      Effect.promise(async () => {
        // A fresh channel: the shared one may have been closed by a broker error.
        try {
          const ch = await broker.conn.createChannel();
          await ch.deleteQueue(names.queue);
          await ch.deleteQueue(names.dlq);
          await ch.close();
        } catch {
          /* the broker connection is gone; nothing more can be done from here */
        }
      }),
  );

/** Messages ready in a queue and its consumers (passive declare: never creates it). */
export async function queueDepth(broker: Broker, name: string): Promise<{ messages: number; consumers: number }> {
  const ch = await broker.conn.createChannel();
  ch.on("error", () => {});
  try {
    const q = await ch.checkQueue(name);
    return { messages: q.messageCount, consumers: q.consumerCount };
  } finally {
    await ch.close().catch(() => {});
  }
}
