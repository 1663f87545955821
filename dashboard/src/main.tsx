// Entry point of the dashboard bundle: mounts the page, inside a last error boundary so that a
// failure no inner boundary caught shows its message instead of a blank page.
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { ErrorBoundary } from "./ErrorBoundary.tsx";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <ErrorBoundary what="The page (reload it, or open it without the #s= part of the link)" resetKey={null}>
    <App />
  </ErrorBoundary>,
);
