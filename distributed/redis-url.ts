// `--queue redis://[user:password@]host:port[/db]` to the connection options BullMQ passes to
// ioredis, with a usage message for anything else. The password stays out of every message
// (`display` masks it), since progress lines and errors end up in CI logs.
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL without its password, for messages. */
  readonly display: string;
}

export class RedisUrlError extends Error {
  override readonly name = "RedisUrlError";
}

export function parseRedisUrl(text: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new RedisUrlError(`--queue expects a URL like redis://127.0.0.1:6379, got '${text}'`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new RedisUrlError(`--queue expects a redis:// or rediss:// URL, got '${u.protocol}'`);
  const port = u.port === "" ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new RedisUrlError(`--queue: the database number '${dbText}' is not a whole number`);
  if (u.hostname === "") throw new RedisUrlError(`--queue: '${text}' names no host`);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    host, port, db, username, password, tls: u.protocol === "rediss:",
    display: `${u.protocol}//${username ? `${username}${password ? ":***" : ""}@` : password ? ":***@" : ""}${u.host}${db ? `/${db}` : ""}`,
  };
}

/** ioredis options for BullMQ (`maxRetriesPerRequest: null` as a Worker requires). */
export function connectionOptions(t: RedisTarget, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { host: t.host, port: t.port, db: t.db, username: t.username, password: t.password, ...(t.tls ? { tls: {} } : {}), ...extra };
}
