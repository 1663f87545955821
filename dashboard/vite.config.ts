// Vite build of the dashboard: the React app in dashboard/, which imports the simulator and the
// bundled scenarios from the repo root (hence fs.allow) and runs the simulator in a module worker.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  plugins: [react()],
  server: { fs: { allow: [repo] } },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The simulator, editor, charts and graph are one app; about 1.3 MB before gzip.
    chunkSizeWarningLimit: 1600,
  },
});
