// Mounts its children one per macrotask instead of all at once: six charts of a few hundred points
// cost several hundred ms of main-thread work together, and one chart at a time keeps every task
// short enough for the page to answer input in between. Placeholders keep the layout still.
import { Children, useEffect, useState } from "react";

export function Staggered({ children, resetKey, placeholderHeight }: { children: React.ReactNode; resetKey: unknown; placeholderHeight: number }) {
  const items = Children.toArray(children).filter(Boolean);
  const [shown, setShown] = useState({ key: resetKey, n: 1 });
  const n = shown.key === resetKey ? shown.n : 1;
  useEffect(() => {
    if (shown.key !== resetKey) { setShown({ key: resetKey, n: 1 }); return; }
    if (n >= items.length) return;
    const t = setTimeout(() => setShown({ key: resetKey, n: n + 1 }), 0);
    return () => clearTimeout(t);
  }, [n, items.length, resetKey, shown.key]);
  return <>{items.map((c, i) => (i < n ? c : <div key={i} className="card chart-placeholder" style={{ height: placeholderHeight }} />))}</>;
}
