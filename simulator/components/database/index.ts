// The database kind: a relational database with shards (by hash or range of the key), a primary
// and replicas per shard (reads from the primary, the replicas or any node), asynchronous or
// synchronous replication with a lag, connection pools per calling service replica, primary
// failover (with the writes an asynchronous one loses) and a table whose rows grow and cost reads
// time. Schema and checks still live in model/schema.ts and model/check.ts; the kernel
// (engine/simulation.ts, dbStep) runs a query's phases on its task rows, and engine/tables.ts
// keeps the table's rows.
import type { KindModule } from "../kind.ts";
import { compileDatabase, emitDatabaseCall, type DatabaseSpec } from "./compile.ts";
import { DatabaseRuntime } from "./runtime.ts";
import { databaseResult } from "./result.ts";

export type { DatabaseSpec } from "./compile.ts";
export { DatabaseRuntime } from "./runtime.ts";
export { databaseAnalytic } from "./analytic.ts";

export const database: KindModule<"database", DatabaseSpec, DatabaseRuntime> = {
  kind: "database",
  compile: compileDatabase,
  emitCall: emitDatabaseCall,
  runtime: (specs, ctx) => new DatabaseRuntime(specs, ctx),
  result: databaseResult,
};
