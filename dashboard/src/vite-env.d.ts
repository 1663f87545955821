// Vite's client types (import.meta.glob, ?raw, ?worker) for the dashboard sources.
/// <reference types="vite/client" />
