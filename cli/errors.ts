// The CLI's two error kinds live in shared/errors.ts (every Node-side folder throws them); this
// name stays for cli/main.ts, which maps them to exit codes.
export { UsageError, InputError } from "../shared/errors.ts";
