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
