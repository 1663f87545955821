// The command line's lazy table (cli/command-table.ts) against the command modules: the same names,
// and each summary in `headroom --help` the one its module declares.
import { describe, expect, it } from "vitest";
import { commandTable } from "../command-table.ts";
import { commands } from "../commands/index.ts";

describe("command table", () => {
  it("lists every command with its module's summary and loads that module", async () => {
    expect(Object.keys(commandTable).sort()).toEqual(Object.keys(commands).sort());
    for (const [name, entry] of Object.entries(commandTable)) {
      expect(entry.summary, name).toBe(commands[name].summary);
      expect(await entry.load(), name).toBe(commands[name]);
    }
  });
});
