// The virtual module the harness injects when it bundles scenario.ts: the plan for one scenario.
declare module "headroom:config" {
  const config: import("../plan.ts").ScriptConfig;
  export default config;
}
