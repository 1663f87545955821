// The palette of component kinds for building a model by hand: each kind is dragged onto the
// topology canvas, which writes a new component of that kind (with working defaults) into the YAML.
import { PALETTE } from "./palette-kinds.ts";

/** The drag data type a palette item carries: the kind's name. */
export const PALETTE_MIME = "application/x-headroom-kind";

export function Palette({ disabled }: { readonly disabled: boolean }) {
  return (
    <div className="palette" data-testid="palette" aria-label="component palette">
      <span className="muted palette-label">{disabled ? "fix the YAML to build" : "drag onto the canvas:"}</span>
      {PALETTE.map((p) => (
        <div
          key={p.kind}
          className={`palette-item kind-${p.kind}${disabled ? " disabled" : ""}`}
          draggable={!disabled}
          title={`${p.kind}: ${p.hint}`}
          data-testid={`palette-${p.kind}`}
          onDragStart={(e) => {
            e.dataTransfer.setData(PALETTE_MIME, p.kind);
            e.dataTransfer.effectAllowed = "copy";
          }}
        >
          {p.label}
        </div>
      ))}
    </div>
  );
}
