// The component kinds that live in their own folder (components/<kind>/), behind the KindModule
// interface (kind.ts): adding a kind is adding its folder and one line here (docs/architecture.md,
// "Adding a kind"). Every component kind is listed; a geo route (components/geo) is not a component
// and has no KindModule. What the kinds still share inside engine/program.ts and
// engine/simulation.ts is listed in docs/architecture.md ("Where the kinds stand").
import { cache } from "./cache/index.ts";
import { cdn } from "./cdn/index.ts";
import { database } from "./database/index.ts";
import { fn } from "./function/index.ts";
import { loadBalancer } from "./load-balancer/index.ts";
import { queue } from "./queue/index.ts";
import { realtime } from "./realtime/index.ts";
import { service } from "./service/index.ts";
import { station } from "./station/index.ts";

export const KINDS = { cache, cdn, database, function: fn, load_balancer: loadBalancer, queue, realtime, service, station } as const;
