// Overrides process.env for one in-process CLI call and puts it back in place. Replacing
// process.env with a copy (`process.env = saved`) would leave a plain object behind: later
// assignments (TZ above all) would no longer reach the process, which breaks any test that shares
// the process with this one (the unit suite runs files without isolation).

/** Sets `vars` on process.env and returns a function that restores every variable as it was. */
export function overrideEnv(vars: Record<string, string>): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, vars);
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}
