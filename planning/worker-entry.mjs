// Worker thread entry: loads tsx in this thread (loader hooks are not shared with the main thread
// on Node 20), then the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
