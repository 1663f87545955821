// The run-size estimate lives in the simulator (simulator/model/run-size.ts), shared with the CLI's
// event budget; re-exported here for the page's imports.
export { EVENT_BUDGET, expectedArrivals, expectedEvents, hopsPerRequest } from "../../simulator/index.ts";
