// Large scenario texts of a chosen size, in three shapes that stress different parts of the loader:
// many top-level keys (each an unknown field, so one located error per key), many components (a
// valid scenario with one large mapping) and a long flow of nested branches (deep sequences and
// small mappings). Used by the parse benchmark and by the test that parsing stays linear. Each text
// is the shape repeated until it reaches the size; sizes are in characters (ASCII, so also bytes).

export type ParseShape = "top-level keys" | "components" | "deep flow";

export const PARSE_SHAPES: ReadonlyArray<ParseShape> = ["top-level keys", "components", "deep flow"];

/** A scenario of `shape` of at least `chars` characters (at most one repeated unit more). */
export function scenarioOfSize(shape: ParseShape, chars: number): string {
  const parts: string[] = [];
  let length = 0;
  const add = (s: string) => { parts.push(s); length += s.length; };
  switch (shape) {
    case "top-level keys":
      add("version: 1\nname: big\nload: { model: open, rate: 10/s, classes: { r: { flow: [api] } } }\n");
      add("components:\n  api: { kind: station, servers: 2, service: 10ms }\n");
      for (let i = 0; length < chars; i++) add(`key_${i}: ${i}\n`);
      break;
    case "components":
      add("version: 1\nname: big\nload: { model: open, rate: 10/s, classes: { r: { flow: [c0] } } }\ncomponents:\n");
      for (let i = 0; length < chars; i++) add(`  c${i}: { kind: station, servers: 2, service: { dist: exponential, mean: 10ms } }\n`);
      break;
    case "deep flow": {
      add("version: 1\nname: big\nload:\n  model: open\n  rate: 10/s\n  classes:\n    r:\n      flow:\n");
      // Each step nests eight branches: a sequence of one-pair mappings, eight levels deep.
      const step = `        - ${"{ branch: [{ p: 1, flow: [".repeat(8)}api${"] }] }".repeat(8)}\n`;
      const end = "components:\n  api: { kind: station, servers: 2, service: 1us }\n";
      while (length + end.length < chars) add(step);
      add(end);
      break;
    }
  }
  return parts.join("");
}
