// Live validation for the editor: the CLI's own parser (simulator/model) on the editor's text,
// its errors turned into editor diagnostics placed at their line and column.
import { parseScenario, type ParseOutcome, type ScenarioError } from "../../simulator/index.ts";

export const EDITOR_FILE = "scenario.yaml";

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

/** Offsets of a line's first non-blank character and its end, for a 1-based line number. */
function lineSpan(text: string, line: number, column: number): { from: number; to: number } {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return { from: text.length, to: text.length };
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  const lineEnd = end < 0 ? text.length : end;
  const from = Math.min(start + Math.max(0, column - 1), lineEnd);
  // Underline from the reported column to the end of the line; an empty span would be invisible.
  return { from, to: Math.max(lineEnd, Math.min(from + 1, text.length)) };
}

export function toDiagnostics(text: string, problems: ReadonlyArray<ScenarioError>, severity: "error" | "warning"): Diagnostic[] {
  return problems.map((e) => ({
    ...lineSpan(text, e.line, e.column),
    severity,
    line: e.line,
    message: e.path ? `${e.path}: ${e.message}` : e.message,
  }));
}

export function diagnose(text: string): { outcome: ParseOutcome; diagnostics: Diagnostic[] } {
  const outcome = validate(text);
  const diagnostics = outcome.ok ? toDiagnostics(text, outcome.warnings, "warning") : toDiagnostics(text, outcome.errors, "error");
  return { outcome, diagnostics };
}
