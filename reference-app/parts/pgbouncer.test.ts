// The gate's configuration (parts/pgbouncer.ts): the model's max_connections as PgBouncer's pool,
// transaction pooling, a queue that never gives up, loopback only, the run's role only.
import { describe, expect, it } from "vitest";
import { authFileText, pgbouncerIni } from "./pgbouncer.ts";

describe("pgbouncer.ini for the model's max_connections", () => {
  const ini = pgbouncerIni({ port: 40001, serverPort: 40002, database: "headroom", user: "headroom_app", size: 4, clients: 32, authFile: "/run/state/pg/pgbouncer-primary/userlist.txt" });
  const setting = (k: string) => new RegExp(`^${k} = (.*)$`, "m").exec(ini)?.[1];

  it("holds exactly max_connections server connections, no reserve, and queues the rest without a timeout", () => {
    expect(setting("pool_mode")).toBe("transaction");
    expect(setting("default_pool_size")).toBe("4");
    expect(setting("max_db_connections")).toBe("4");
    expect(setting("max_user_connections")).toBe("4");
    expect(setting("reserve_pool_size")).toBe("0");
    expect(setting("query_wait_timeout")).toBe("0");
    // every client the app may open (32) plus the launcher's readiness check
    expect(Number(setting("max_client_conn"))).toBeGreaterThanOrEqual(33);
  });

  it("listens on 127.0.0.1 only, without a unix socket, in front of the one server", () => {
    expect(setting("listen_addr")).toBe("127.0.0.1");
    expect(setting("listen_port")).toBe("40001");
    expect(ini).toMatch(/^unix_socket_dir =$/m);
    expect(ini).toMatch(/^headroom = host=127\.0\.0\.1 port=40002 dbname=headroom$/m);
  });

  it("admits the run's role by SCRAM from its auth file; it may read the console's statistics, nobody may run its admin commands", () => {
    expect(setting("auth_type")).toBe("scram-sha-256");
    expect(setting("auth_file")).toBe("/run/state/pg/pgbouncer-primary/userlist.txt");
    expect(setting("stats_users")).toBe("headroom_app");
    expect(ini).not.toMatch(/admin_users/);
    expect(authFileText("headroom_app", "abc123")).toBe('"headroom_app" "abc123"\n');
  });
});
