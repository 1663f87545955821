// Keyboard shortcuts of the page, as data: which key does what, and when a key press is the page's
// rather than the editor's or a form field's (typing a YAML "r" must never start a run). The page
// binds the actions; the help overlay (`?`) lists this same table, so the two cannot disagree.

export type Action = "help" | "run" | "escape" | "open-result" | "open-validation" | "copy-link" | "focus-editor" | "export-json";

export interface Shortcut {
  readonly keys: string;
  readonly action: Action;
  readonly what: string;
}

/** The table shown by `?`, in the order shown. */
export const SHORTCUTS: ReadonlyArray<Shortcut> = [
  { keys: "Ctrl+Enter", action: "run", what: "run the simulation (also inside the editor)" },
  { keys: "r", action: "run", what: "run the simulation" },
  { keys: "Esc", action: "escape", what: "close this help, cancel a running simulation, or close an opened report or sweep" },
  { keys: "e", action: "focus-editor", what: "put the cursor in the YAML editor" },
  { keys: "o", action: "open-result", what: "open a result or sweep JSON" },
  { keys: "v", action: "open-validation", what: "open a validation report" },
  { keys: "l", action: "copy-link", what: "copy a link that carries the scenario" },
  { keys: "j", action: "export-json", what: "download the result as JSON" },
  { keys: "?", action: "help", what: "show or hide this list" },
];

export interface KeyLike {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  /** the element the key was pressed in */
  readonly target: { readonly tagName?: string; readonly isContentEditable?: boolean; readonly closest?: (sel: string) => unknown } | null;
}

function inEditor(e: KeyLike): boolean {
  const t = e.target;
  return !!t && typeof t.closest === "function" && t.closest(".cm-editor") != null;
}

/** Whether the key press happened where text is typed: the editor, an input, a select, a textarea. */
function typing(e: KeyLike): boolean {
  const t = e.target;
  if (!t) return false;
  const tag = (t.tagName ?? "").toUpperCase();
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return true;
  if (t.isContentEditable) return true;
  return typeof t.closest === "function" && t.closest(".cm-editor") != null;
}

/**
 * The page's action for a key press, or null when it is not a shortcut or belongs to where it was
 * typed. Ctrl/Cmd+Enter and Esc work everywhere; single letters only outside text fields and
 * without Ctrl, Cmd or Alt (the browser's own shortcuts stay the browser's).
 */
export function actionFor(e: KeyLike): Action | null {
  // inside the editor, Ctrl+Enter is the editor's own (it runs too): answering it here would run twice
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) return inEditor(e) ? null : "run";
  if (e.key === "Escape") return "escape";
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return null;
  if (e.key === "?") return "help";
  const letter = SHORTCUTS.find((s) => s.keys === e.key);
  return letter ? letter.action : null;
}
