// The `?` overlay: every keyboard shortcut of the page, from the same table the page binds.
import { SHORTCUTS } from "./shortcuts.ts";

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts" onClick={onClose}>
      <div className="overlay-box" onClick={(e) => e.stopPropagation()}>
        <div className="val-head"><h2>Keyboard shortcuts</h2><button className="btn-ghost" onClick={onClose}>Close (Esc)</button></div>
        <table className="grid">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys}><td><kbd>{s.keys}</kbd></td><td>{s.what}</td></tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Letters work outside the editor and form fields; Ctrl+Enter and Esc work everywhere.</p>
      </div>
    </div>
  );
}
