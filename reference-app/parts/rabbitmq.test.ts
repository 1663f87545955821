// The broker helpers of a run's own vhost and user: RabbitMQ's SHA-256 password hash (checked
// against the algorithm written out), the run's URL, the redaction run.json uses, and the refusal
// of a name that could break out of the Erlang expression that deletes the vhost.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { deleteRunExpr, rabbitPasswordHash, redactUrl, runDefinitions, runUrl } from "./rabbitmq.ts";

describe("run broker helpers", () => {
  it("hashes as rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password))", () => {
    const salt = Buffer.from([0x90, 0x8d, 0xc6, 0x0a]);
    const raw = Buffer.from(rabbitPasswordHash("test12", salt), "base64");
    expect(raw.length).toBe(4 + 32);
    expect(raw.subarray(0, 4)).toEqual(salt);
    expect(raw.subarray(4).toString("hex")).toBe(createHash("sha256").update(Buffer.concat([salt, Buffer.from("test12")])).digest("hex"));
    // A fresh salt each time: the same password never gives the same hash twice.
    expect(rabbitPasswordHash("x")).not.toBe(rabbitPasswordHash("x"));
  });

  it("gives the run's user every permission on its own vhost only, and no tags", () => {
    const d = runDefinitions("headroom.r-1", "pw") as { users: { name: string; tags: string[]; password?: string }[]; permissions: unknown[]; vhosts: unknown[] };
    expect(d.users.map((u) => [u.name, u.tags, u.password])).toEqual([["headroom.r-1", [], undefined]]);
    expect(JSON.stringify(d)).not.toContain('"pw"');
    expect(d.vhosts).toEqual([{ name: "headroom.r-1" }]);
    expect(d.permissions).toEqual([{ user: "headroom.r-1", vhost: "headroom.r-1", configure: ".*", write: ".*", read: ".*" }]);
  });

  it("builds the run's URL on the given host and masks its password for run.json", () => {
    const url = runUrl("amqp://guest:guest@127.0.0.1:5672", "headroom.r-1", "abc123");
    expect(url).toBe("amqp://headroom.r-1:abc123@127.0.0.1:5672/headroom.r-1");
    expect(redactUrl(url)).toBe("amqp://headroom.r-1:***@127.0.0.1:5672/headroom.r-1");
    expect(redactUrl("amqp://127.0.0.1:5672")).toBe("amqp://127.0.0.1:5672");
  });

  it("deletes by a plain name only", () => {
    expect(deleteRunExpr("headroom.r-1")).toBe('rabbit_vhost:delete(<<"headroom.r-1">>, <<"headroom">>), rabbit_auth_backend_internal:delete_user(<<"headroom.r-1">>, <<"headroom">>).');
    expect(() => deleteRunExpr('x">>, os:cmd("id")')).toThrow(/unexpected broker name/);
  });
});
