// Live validation for the editor: the CLI's own parser (simulator/model) on the editor's text,
// its errors turned into editor diagnostics placed at their line and column. The page runs it in
// the check worker (check.worker.ts), never on its own thread: `check` never throws and returns
// plain data that crosses postMessage. Lines are found through one index of line starts per
// text and a binary search per diagnostic, so thousands of errors in a large file stay linear.
import { errorText } from "./error-text.ts";
import { parseScenario, type ParseOutcome, type Scenario, type ScenarioError } from "../../simulator/index.ts";

export const EDITOR_FILE = "scenario.yaml";
/** Diagnostics kept per check: the editor and the list below it show these; the count says the rest. */
export const MAX_DIAGNOSTICS = 500;

export interface Diagnostic {
  readonly from: number;
  readonly to: number;
  readonly severity: "error" | "warning";
  readonly message: string;
  readonly line: number;
}

export function validate(text: string): ParseOutcome {
  return parseScenario(text, EDITOR_FILE);
}

/** Offsets where each line starts (entry 0 is line 1), found in one pass. */
export function lineStarts(text: string): Uint32Array {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  const starts = new Uint32Array(n);
  let k = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts[k++] = i + 1;
  return starts;
}

/** Offsets of a line's reported column and its end, for a 1-based line number. */
function lineSpan(text: string, starts: Uint32Array, line: number, column: number): { from: number; to: number } {
  if (!(line >= 1) || line > starts.length) return { from: text.length, to: text.length };
  const start = starts[line - 1];
  const lineEnd = line < starts.length ? starts[line] - 1 : text.length;
  const from = Math.min(start + Math.max(0, (column | 0) - 1), lineEnd);
  // Underline from the reported column to the end of the line; an empty span would be invisible.
  return { from, to: Math.max(lineEnd, Math.min(from + 1, text.length)) };
}

/** The 1-based line holding `offset` (binary search over the line starts). */
export function lineAt(starts: Uint32Array, offset: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function toDiagnostics(text: string, problems: ReadonlyArray<ScenarioError>, severity: "error" | "warning", starts = lineStarts(text)): Diagnostic[] {
  return problems.map((e) => {
    const { from, to } = lineSpan(text, starts, e.line, e.column);
    return { from, to, severity, line: e.line, message: e.path ? `${e.path}: ${e.message}` : e.message };
  });
}

export function diagnose(text: string): { outcome: ParseOutcome; diagnostics: Diagnostic[] } {
  const outcome = validate(text);
  const diagnostics = outcome.ok ? toDiagnostics(text, outcome.warnings, "warning") : toDiagnostics(text, outcome.errors, "error");
  return { outcome, diagnostics };
}

/** What the page shows of a text: the scenario when it is valid, the first MAX_DIAGNOSTICS
 * problems, the error count, and `failure` when the checker itself broke (never a throw). */
export interface Checked {
  readonly text: string;
  readonly scenario: Scenario | null;
  readonly diagnostics: Diagnostic[];
  readonly errors: number;
  readonly failure?: string;
}

export function check(text: string): Checked {
  try {
    const outcome = validate(text);
    const problems = outcome.ok ? outcome.warnings : outcome.errors;
    const diagnostics = toDiagnostics(text, problems.slice(0, MAX_DIAGNOSTICS), outcome.ok ? "warning" : "error");
    return { text, scenario: outcome.ok ? outcome.scenario : null, diagnostics, errors: outcome.ok ? 0 : outcome.errors.length };
  } catch (e) {
    return { text, scenario: null, diagnostics: [], errors: 0, failure: `the scenario could not be checked: ${errorText(e)}` };
  }
}

export { errorText };
