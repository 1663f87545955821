#!/usr/bin/env node
// The `headroom` command: loads the TypeScript CLI through tsx's loader (no build step).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
