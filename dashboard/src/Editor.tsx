// The YAML editor: CodeMirror 6 with YAML highlighting, the validator's diagnostics underlined at
// their line with a gutter marker, and Ctrl/Cmd+Enter to run. The text lives here; the page is told
// of every change and may replace the whole text (a preset, a node form edit).
import { memo, useEffect, useRef } from "react";
import { EditorView, basicSetup } from "codemirror";
import { keymap } from "@codemirror/view";
import { Compartment, EditorSelection } from "@codemirror/state";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { oneDark } from "@codemirror/theme-one-dark";
import type { Diagnostic } from "./validate.ts";
import { useChartTheme, type ChartTheme } from "./theme.ts";

export interface EditorHandle {
  goto(line: number): void;
  /** Puts the cursor in the editor where it was. */
  focus(): void;
}

interface Props {
  readonly text: string;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  readonly onChange: (text: string) => void;
  readonly onRun: () => void;
  readonly handle?: React.MutableRefObject<EditorHandle | null>;
}

const layout = EditorView.theme({
  "&": { height: "100%", fontSize: "12.5px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", lineHeight: "1.5" },
});
const darkColors = [oneDark, EditorView.theme({ "&": { backgroundColor: "#11151c" }, ".cm-gutters": { backgroundColor: "#11151c", borderRight: "1px solid #232a35" } }, { dark: true })];
// CodeMirror's own light look (basicSetup's highlighting), on the page's light panel colors.
const lightColors = EditorView.theme({ "&": { backgroundColor: "#ffffff" }, ".cm-gutters": { backgroundColor: "#f6f8fa", borderRight: "1px solid #d0d7de" } }, { dark: false });
const colorsOf = (t: ChartTheme) => (t.name === "dark" ? darkColors : lightColors);

export const Editor = memo(function Editor({ text, diagnostics, onChange, onRun, handle }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // Callbacks change every render; the editor is built once and reads them through refs.
  const cb = useRef({ onChange, onRun });
  const colors = useRef(new Compartment());
  const systemTheme = useChartTheme();
  const themeAtMount = useRef(systemTheme);
  cb.current = { onChange, onRun };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor view is made once per mount; later text comes in through the effect below and callbacks through cb.current
  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      doc: text,
      extensions: [
        keymap.of([{ key: "Mod-Enter", run: () => (cb.current.onRun(), true) }]),
        basicSetup,
        yaml(),
        EditorView.lineWrapping,
        lintGutter(),
        colors.current.of(colorsOf(themeAtMount.current)),
        layout,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) cb.current.onChange(u.state.doc.toString());
        }),
      ],
    });
    view.current = v;
    if (handle) {
      handle.current = {
        goto(line: number) {
          const l = v.state.doc.line(Math.max(1, Math.min(line, v.state.doc.lines)));
          v.dispatch({ selection: EditorSelection.cursor(l.from), scrollIntoView: true });
          v.focus();
        },
        focus() {
          v.focus();
        },
      };
    }
    return () => v.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The system switched between light and dark: the editor follows.
  useEffect(() => {
    view.current?.dispatch({ effects: colors.current.reconfigure(colorsOf(systemTheme)) });
  }, [systemTheme]);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== text) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }, [text]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    // Diagnostics are computed for a (debounced) past text; clamp them to the current document.
    const clamped = diagnostics.map((d) => ({ from: Math.min(d.from, len), to: Math.min(d.to, len), severity: d.severity, message: d.message }));
    v.dispatch(setDiagnostics(v.state, clamped));
  }, [diagnostics]);

  return <div className="editor-host" ref={host} data-testid="editor" />;
});
