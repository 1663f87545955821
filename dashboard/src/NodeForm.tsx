// The parameter form of the selected node: its key fields as written in the YAML; a change is
// written back into the text on Enter or when the field loses focus (and validated like typing).
// Under "Every field of the kind", the other scalars the same way and each map or list (handlers,
// autoscaling, routing...) as a YAML block, written back whole on Ctrl+Enter or leaving it; a block
// that does not parse is refused with its line and column. A component can be deleted from here too.
import { useEffect, useMemo, useState } from "react";
import { formFields, moreFields, setBlock, setField, type FormField, type NestedField } from "./yaml-edit.ts";
import { CLIENTS } from "./topology.ts";

interface Props {
  readonly text: string;
  readonly node: string;
  readonly onChange: (text: string) => void;
  readonly onClose: () => void;
  /** Deletes the component (absent for the clients, or while the graph is greyed). */
  readonly onDelete?: () => void;
  /** The loader's problems with this component (its messages, "did you mean" included). */
  readonly problems?: ReadonlyArray<string>;
}

export function NodeForm({ text, node, onChange, onClose, onDelete, problems = [] }: Props) {
  // read from the text once per edit, not on every render of the page (a run re-renders it every 50 ms)
  const fields = useMemo(() => formFields(text, node), [text, node]);
  const more = useMemo(() => moreFields(text, node), [text, node]);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [blockError, setBlockError] = useState<Record<string, string>>({});
  // biome-ignore lint/correctness/useExhaustiveDependencies: node and text are the triggers: the draft is dropped when either changes
  useEffect(() => setDraft({}), [node, text]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new node starts without refusals
  useEffect(() => setBlockError({}), [node]);

  const commit = (key: string, path: ReadonlyArray<string>, current: string) => {
    const v = draft[key];
    if (v === undefined || v === current) return;
    onChange(setField(text, path, v));
  };

  const commitBlock = (f: NestedField) => {
    const key = f.path.join(".");
    const v = draft[key];
    if (v === undefined || v === f.block) return;
    const r = setBlock(text, f.path, v);
    setBlockError({ ...blockError, [key]: "error" in r ? r.error : "" });
    if ("text" in r) onChange(r.text);
  };

  const block = (f: NestedField) => {
    const key = f.path.join(".");
    const value = draft[key] ?? f.block;
    return (
      <label key={key} className="field nested" data-testid={`nested-${f.name}`}>
        <span>{f.name}</span>
        <textarea
          value={value}
          rows={Math.min(12, Math.max(2, value.split("\n").length))}
          placeholder={`not set (a map or list, as YAML)`}
          spellCheck={false}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
          onBlur={() => commitBlock(f)}
          onKeyDown={(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) commitBlock(f); }}
          data-testid={`block-${key}`}
        />
        {blockError[key] ? <small className="bad" data-testid={`block-error-${key}`}>{blockError[key]}</small> : null}
        <small>{f.written ? "written in the YAML" : "not set"} · a map or list as YAML (Ctrl+Enter writes it) · {f.hint}</small>
      </label>
    );
  };

  const input = (f: FormField) => {
    const key = f.path.join(".");
    return (
      <label key={key} className="field">
        <span>{f.label}</span>
        <input
          value={draft[key] ?? f.value}
          placeholder="default"
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
          onBlur={() => commit(key, f.path, f.value)}
          onKeyDown={(e) => { if (e.key === "Enter") commit(key, f.path, f.value); }}
          data-testid={`field-${key}`}
        />
        <small>{f.hint}</small>
      </label>
    );
  };

  return (
    <aside className="node-form" data-testid="node-form">
      <div className="node-form-head">
        <strong>{node}</strong>
        <button className="btn-ghost" onClick={onClose} aria-label="close">✕</button>
      </div>
      {fields.length === 0 && <div className="muted">No editable fields (fix the YAML first).</div>}
      {problems.length > 0 && (
        <ul className="node-form-problems bad" data-testid="node-problems">{problems.map((p) => <li key={p}>{p}</li>)}</ul>
      )}
      {fields.map(input)}
      {more.editable.length + more.nested.length > 0 && (
        <details className="node-form-more" data-testid="more-fields">
          <summary>Every field of the kind ({more.editable.length + more.nested.length} more)</summary>
          {more.editable.map(input)}
          {more.nested.map(block)}
        </details>
      )}
      {onDelete && node !== CLIENTS && (
        <button className="btn-ghost danger-ghost" onClick={onDelete} data-testid="delete-node" title="Delete the component and every edge to it (Delete on the canvas does the same)">Delete {node}</button>
      )}
    </aside>
  );
}
