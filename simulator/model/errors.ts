// A problem in a scenario file, located at its line and column and named by its field path.
export interface ScenarioError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted field path, e.g. `components.api.servers` or `load.classes.get.flow[1]`. */
  readonly path: string;
  readonly message: string;
}

export function formatError(e: ScenarioError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.path ? `${e.path}: ` : ""}${e.message}`;
}

export function formatErrors(errors: ReadonlyArray<ScenarioError>): string {
  return errors.map(formatError).join("\n");
}

export function pathToString(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Offsets to 1-based line and column: the line starts are found once (every `\n` begins a line, as
 * in the YAML parser's own line counter), then each lookup is a binary search, so locating k errors
 * in a file of n lines costs n + k log n instead of k n.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", nl + 1)) this.starts.push(nl + 1);
  }

  /** Line and column of `offset` (an offset past the end stays on the last line). */
  at(offset: number): { line: number; column: number } {
    const starts = this.starts;
    let low = 0;
    let high = starts.length;
    while (low < high) { // the number of line starts at or before offset
      const mid = (low + high) >>> 1;
      if (starts[mid] <= offset) low = mid + 1;
      else high = mid;
    }
    const line = Math.max(low, 1);
    return { line, column: offset - starts[line - 1] + 1 };
  }
}
