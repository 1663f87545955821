// The page itself, imported by the entry module (main.tsx) once it has started the first run: mounts
// the App, inside a last error boundary so that a failure no inner boundary caught shows its message
// instead of a blank page. `?live` (the URL `headroom load|validate --dashboard` prints) opens the
// live view of that command's run instead.
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { lazy, Suspense } from "react";
import { ErrorBoundary } from "./ErrorBoundary.tsx";

// its own chunk: the editor's page does not load it
const LiveRun = lazy(() => import("./LiveRun.tsx").then((m) => ({ default: m.LiveRun })));

export function mount(live: boolean): void {
  createRoot(document.getElementById("root")!).render(
    <ErrorBoundary what="The page (reload it, or open it without the #s= part of the link)" resetKey={null}>
      {live ? <Suspense fallback={null}><LiveRun /></Suspense> : <App />}
    </ErrorBoundary>,
  );
}
