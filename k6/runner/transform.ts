// Turns a bundled k6 script (one ESM file, k6 modules external) into a VU factory for the runner.
// In k6 `http.get` and `sleep` block the VU; here VUs are cooperative, so every call that can block
// (k6/http requests, sleep, group, and any function that reaches one) becomes `await`ed and the
// functions containing them become `async`. A blocking function used in a way that cannot be awaited
// (e.g. passed to Array.prototype.forEach) is refused with its line, never run with wrong semantics.
import { parse } from "acorn";
import MagicString from "magic-string";

// Calls that suspend the VU, per module and export name.
const BLOCKING: Record<string, Set<string>> = {
  k6: new Set(["sleep", "group"]),
  "k6/http": new Set(["get", "post", "put", "del", "patch", "head", "options", "request", "batch"]),
  "k6/ws": new Set(["connect"]),
};
const CALLBACK_TAKERS: Record<string, Set<string>> = { k6: new Set(["group"]) };

export class ScriptTransformError extends Error {
  override readonly name = "ScriptTransformError";
}

type Node = any; // acorn's ESTree nodes; the walker below is generic over them
interface K6Binding {
  kind: "k6";
  module: string;
  imported: string; // "default" | "*" | export name
}
interface Ctx {
  fn: Node | null; // null for the program
  parent: Ctx | null;
  names: Map<string, Node | K6Binding | null>; // bound function node, k6 import, or something else
  objects: Map<string, Map<string, Node>>; // const x = { m() {...} }: property -> function
  calls: Node[];
}
interface Ref {
  id: Node;
  ctx: Ctx;
  parent: Node;
  parentKey: string;
}

const isFn = (n: Node) =>
  n && (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression");

function patternNames(p: Node, out: string[]): void {
  if (!p) return;
  switch (p.type) {
    case "Identifier":
      out.push(p.name);
      break;
    case "ObjectPattern":
      for (const prop of p.properties) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, out);
      break;
    case "ArrayPattern":
      for (const el of p.elements) patternNames(el, out);
      break;
    case "RestElement":
      patternNames(p.argument, out);
      break;
    case "AssignmentPattern":
      patternNames(p.left, out);
      break;
  }
}

export interface TransformResult {
  /** Source of `(function (__k6require, __ENV, __VU, open, console) { ... })`, returning { exports, setIter, setEnv }. */
  factorySource: string;
  exportNames: string[];
}

export function transformBundle(code: string, fileLabel: string): TransformResult {
  let ast: Node;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "module", locations: true });
  } catch (e) {
    throw new ScriptTransformError(`${fileLabel}: cannot parse bundled script: ${(e as Error).message}`);
  }
  const s = new MagicString(code);
  const program: Ctx = { fn: null, parent: null, names: new Map(), objects: new Map(), calls: [] };
  const ctxOf = new Map<Node, Ctx>();
  const fnParent = new Map<Node, { parent: Node; key: string }>();
  const refs: Ref[] = [];
  const exportsMap = new Map<string, string>(); // exported name -> local name
  const where = (n: Node) => `${fileLabel} (bundled) line ${n.loc.start.line}`;

  // Imports and exports: k6 modules become __k6require() lookups, exports a returned object.
  for (const stmt of ast.body) {
    if (stmt.type === "ImportDeclaration") {
      const mod = stmt.source.value as string;
      if (mod !== "k6" && !mod.startsWith("k6/")) {
        throw new ScriptTransformError(`${fileLabel}: import of '${mod}' could not be bundled; remote and non-k6 external modules are not supported by the built-in runner`);
      }
      const decls: string[] = [];
      for (const sp of stmt.specifiers) {
        const local = sp.local.name;
        if (sp.type === "ImportDefaultSpecifier") {
          program.names.set(local, { kind: "k6", module: mod, imported: "default" });
          decls.push(`const ${local} = __k6require(${JSON.stringify(mod)}).default;`);
        } else if (sp.type === "ImportNamespaceSpecifier") {
          program.names.set(local, { kind: "k6", module: mod, imported: "*" });
          decls.push(`const ${local} = __k6require(${JSON.stringify(mod)});`);
        } else {
          const imported = sp.imported.type === "Identifier" ? sp.imported.name : String(sp.imported.value);
          program.names.set(local, { kind: "k6", module: mod, imported });
          decls.push(`const ${local} = __k6require(${JSON.stringify(mod)})[${JSON.stringify(imported)}];`);
        }
      }
      s.overwrite(stmt.start, stmt.end, decls.join(" ") || `__k6require(${JSON.stringify(mod)});`);
    } else if (stmt.type === "ExportNamedDeclaration") {
      if (stmt.source) throw new ScriptTransformError(`${fileLabel}: re-exports from '${stmt.source.value}' are not supported`);
      if (stmt.declaration) {
        s.remove(stmt.start, stmt.declaration.start);
        const d = stmt.declaration;
        if (d.type === "VariableDeclaration") {
          for (const dd of d.declarations) {
            const names: string[] = [];
            patternNames(dd.id, names);
            for (const n of names) exportsMap.set(n, n);
          }
        } else exportsMap.set(d.id.name, d.id.name);
      } else {
        for (const sp of stmt.specifiers) {
          const exported = sp.exported.type === "Identifier" ? sp.exported.name : String(sp.exported.value);
          exportsMap.set(exported, sp.local.name);
        }
        s.remove(stmt.start, stmt.end);
      }
    } else if (stmt.type === "ExportDefaultDeclaration") {
      const d = stmt.declaration;
      if ((d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") && d.id) {
        s.remove(stmt.start, d.start);
        exportsMap.set("default", d.id.name);
      } else {
        s.overwrite(stmt.start, d.start, "const __k6_default = ");
        exportsMap.set("default", "__k6_default");
      }
    } else if (stmt.type === "ExportAllDeclaration") {
      throw new ScriptTransformError(`${fileLabel}: 'export * from' is not supported`);
    }
  }

  // Pass 1: scopes (function-level), function bindings, calls and identifier references.
  const declare = (ctx: Ctx, name: string, value: Node | null) => {
    if (!ctx.names.has(name) || value) ctx.names.set(name, value);
  };
  const visit = (node: Node, ctx: Ctx, parent: Node, key: string): void => {
    if (!node || typeof node.type !== "string") return;
    switch (node.type) {
      case "ImportDeclaration":
        return;
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        if (node.type === "FunctionDeclaration" && node.id) declare(ctx, node.id.name, node);
        const inner: Ctx = { fn: node, parent: ctx, names: new Map(), objects: new Map(), calls: [] };
        ctxOf.set(node, inner);
        fnParent.set(node, { parent, key });
        if (node.type === "FunctionExpression" && node.id) declare(inner, node.id.name, node);
        for (const p of node.params) {
          const names: string[] = [];
          patternNames(p, names);
          for (const n of names) declare(inner, n, null);
          visitPatternDefaults(p, inner);
        }
        if (node.body.type === "BlockStatement") hoist(node.body.body, inner);
        visit(node.body, inner, node, "body");
        return;
      }
      case "VariableDeclarator": {
        const names: string[] = [];
        patternNames(node.id, names);
        if (node.id.type === "Identifier" && isFn(node.init)) declare(ctx, node.id.name, node.init);
        else for (const n of names) declare(ctx, n, null);
        if (node.id.type === "Identifier" && node.init?.type === "ObjectExpression") {
          const methods = new Map<string, Node>();
          for (const p of node.init.properties) {
            if (p.type === "Property" && !p.computed && isFn(p.value)) methods.set(p.key.name ?? p.key.value, p.value);
          }
          ctx.objects.set(node.id.name, methods);
        }
        visitPatternDefaults(node.id, ctx);
        visit(node.init, ctx, node, "init");
        return;
      }
      case "ClassDeclaration":
        if (node.id) declare(ctx, node.id.name, null);
        break;
      case "CatchClause":
        if (node.param) {
          const names: string[] = [];
          patternNames(node.param, names);
          for (const n of names) declare(ctx, n, null);
        }
        visit(node.body, ctx, node, "body");
        return;
      case "CallExpression":
        ctx.calls.push(node);
        break;
      case "Identifier":
        refs.push({ id: node, ctx, parent, parentKey: key });
        return;
      case "MemberExpression":
        visit(node.object, ctx, node, "object");
        if (node.computed) visit(node.property, ctx, node, "property");
        return;
      case "Property":
      case "MethodDefinition":
      case "PropertyDefinition":
        if (node.computed) visit(node.key, ctx, node, "key");
        else if (node.type === "Property" && node.shorthand) refs.push({ id: node.value, ctx, parent: node, parentKey: "value" });
        if (!(node.type === "Property" && node.shorthand)) visit(node.value, ctx, node, "value");
        return;
      case "LabeledStatement":
      case "BreakStatement":
      case "ContinueStatement":
        if (node.body) visit(node.body, ctx, node, "body");
        return;
    }
    for (const k of Object.keys(node)) {
      if (k === "type" || k === "loc" || k === "start" || k === "end") continue;
      const v = node[k];
      if (Array.isArray(v)) for (const c of v) visit(c, ctx, node, k);
      else if (v && typeof v.type === "string") visit(v, ctx, node, k);
    }
  };
  const visitPatternDefaults = (p: Node, ctx: Ctx): void => {
    if (!p) return;
    if (p.type === "AssignmentPattern") {
      visitPatternDefaults(p.left, ctx);
      visit(p.right, ctx, p, "right");
    } else if (p.type === "ObjectPattern") {
      for (const prop of p.properties) {
        if (prop.type === "RestElement") continue;
        if (prop.computed) visit(prop.key, ctx, prop, "key");
        visitPatternDefaults(prop.value, ctx);
      }
    } else if (p.type === "ArrayPattern") for (const el of p.elements) visitPatternDefaults(el, ctx);
  };
  const hoist = (body: Node[], ctx: Ctx) => {
    for (const st of body) if (st.type === "FunctionDeclaration" && st.id) declare(ctx, st.id.name, st);
  };
  hoist(ast.body, program);
  for (const stmt of ast.body) visit(stmt, program, ast, "body");

  const resolve = (name: string, ctx: Ctx | null): Node | K6Binding | null | undefined => {
    for (let c = ctx; c; c = c.parent) if (c.names.has(name)) return c.names.get(name);
    return undefined;
  };
  const resolveObject = (name: string, ctx: Ctx | null): Map<string, Node> | undefined => {
    for (let c = ctx; c; c = c.parent) {
      if (c.names.has(name)) return c.objects.get(name);
    }
    return undefined;
  };
  const propName = (m: Node): string | null =>
    !m.computed ? m.property.name : m.property.type === "Literal" ? String(m.property.value) : null;

  /** What a call's callee is: a k6 blocking primitive, a known function, or unknown. */
  const classify = (call: Node, ctx: Ctx): { k6?: { module: string; name: string }; fn?: Node } => {
    let callee = call.callee;
    if (callee.type === "SequenceExpression") callee = callee.expressions[callee.expressions.length - 1];
    if (callee.type === "Identifier") {
      const b = resolve(callee.name, ctx);
      if (b && (b as K6Binding).kind === "k6") {
        const kb = b as K6Binding;
        return { k6: { module: kb.module, name: kb.imported } };
      }
      if (isFn(b)) return { fn: b };
      return {};
    }
    if (callee.type === "MemberExpression") {
      const name = propName(callee);
      if (name === null) return {};
      let obj = callee.object;
      if (obj.type === "MemberExpression" && propName(obj) === "default") obj = obj.object;
      if (obj.type === "Identifier") {
        const b = resolve(obj.name, ctx);
        if (b && (b as K6Binding).kind === "k6") return { k6: { module: (b as K6Binding).module, name } };
        const methods = resolveObject(obj.name, ctx);
        const m = methods?.get(name);
        if (m) return { fn: m };
      }
    }
    return {};
  };
  const isBlockingK6 = (k: { module: string; name: string }) => BLOCKING[k.module]?.has(k.name) ?? false;

  // Pass 2: a function is async when it directly contains a blocking call; iterate to a fixpoint.
  const ctxs: Ctx[] = [program, ...ctxOf.values()];
  const asyncFns = new Set<Node>();
  const awaitCalls = new Set<Node>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const ctx of ctxs) {
      for (const call of ctx.calls) {
        if (awaitCalls.has(call)) continue;
        const c = classify(call, ctx);
        if ((c.k6 && isBlockingK6(c.k6)) || (c.fn && asyncFns.has(c.fn))) {
          awaitCalls.add(call);
          if (!ctx.fn) {
            const what = c.k6 ? `${c.k6.module === "k6/http" ? "http." : ""}${c.k6.name}()` : "a function that makes HTTP requests or sleeps";
            throw new ScriptTransformError(`${where(call)}: ${what} is called in the init context; k6 allows it only inside VU code (default function, setup, teardown)`);
          }
          if (!asyncFns.has(ctx.fn)) {
            asyncFns.add(ctx.fn);
            changed = true;
          }
        }
      }
    }
  }

  // Every async function must only be reached in ways that can await it.
  const allowedUse = (_fn: Node, parent: Node, key: string, ctx: Ctx, label: string) => {
    if (parent.type === "CallExpression" && key === "callee") return;
    if (parent.type === "CallExpression" && key === "arguments") {
      const c = classify(parent, ctx);
      if (c.k6 && CALLBACK_TAKERS[c.k6.module]?.has(c.k6.name)) return;
    }
    if (parent.type === "VariableDeclarator" || parent.type === "FunctionDeclaration" || parent.type === "ExportDefaultDeclaration") return;
    if (parent.type === "Property" && key === "value") return; // resolved through object-literal methods
    throw new ScriptTransformError(
      `${where(parent)}: ${label} makes blocking k6 calls (HTTP requests, sleep, group) but is used as a value here; ` +
        `the built-in runner can run such a function only when it is called directly, passed to group(), or exported (see docs/k6.md)`,
    );
  };
  const exportedLocals = new Set(exportsMap.values());
  for (const ref of refs) {
    const b = resolve(ref.id.name, ref.ctx);
    if (!isFn(b) || !asyncFns.has(b)) continue;
    if (ref.parent.type === "ExportSpecifier") continue;
    if (ref.ctx === program && exportedLocals.has(ref.id.name) && ref.parent.type === "Program") continue;
    allowedUse(b, ref.parent, ref.parentKey, ref.ctx, `function '${ref.id.name}'`);
  }
  for (const fn of asyncFns) {
    if (fn.generator) throw new ScriptTransformError(`${where(fn)}: generator functions cannot make blocking k6 calls in the built-in runner`);
    const p = fnParent.get(fn)!;
    if (fn.type !== "FunctionDeclaration" && !(p.parent.type === "VariableDeclarator")) {
      if (p.parent.type === "MethodDefinition" && (p.parent.kind !== "method")) {
        throw new ScriptTransformError(`${where(fn)}: a ${p.parent.kind} cannot make blocking k6 calls in the built-in runner`);
      }
      if (p.parent.type === "Property" && p.parent.kind !== "init") {
        throw new ScriptTransformError(`${where(fn)}: a ${p.parent.kind}ter cannot make blocking k6 calls in the built-in runner`);
      }
      if (p.parent.type !== "Property" && p.parent.type !== "MethodDefinition") {
        const parentCtx = (p.parent.type === "CallExpression" && findCtxOfCall(p.parent)) || program;
        allowedUse(fn, p.parent, p.key, parentCtx, "this function");
      }
    }
  }
  function findCtxOfCall(call: Node): Ctx | undefined {
    for (const c of ctxs) if (c.calls.includes(call)) return c;
    return undefined;
  }

  // Rewrite: async functions, awaited calls.
  for (const fn of asyncFns) {
    if (fn.async) continue;
    const p = fnParent.get(fn)!;
    if ((p.parent.type === "Property" && (p.parent.method || p.parent.kind !== "init")) || p.parent.type === "MethodDefinition") {
      s.appendLeft(p.parent.computed ? code.lastIndexOf("[", p.parent.key.start) : p.parent.key.start, "async ");
    } else s.appendLeft(fn.start, "async ");
  }
  for (const call of awaitCalls) {
    s.appendLeft(call.start, "(await ");
    s.prependRight(call.end, ")");
  }

  const exportNames = [...exportsMap.keys()];
  const exportObj = [...exportsMap.entries()].map(([e, l]) => `${JSON.stringify(e)}: ${l}`).join(", ");
  s.prepend(`(function (__k6require, __ENV, __VU, open, console) {\n"use strict";\nlet __ITER = 0;\n`);
  s.append(`\nreturn { exports: { ${exportObj} }, setIter(i) { __ITER = i; }, setEnv(e) { __ENV = e; } };\n})`);
  return { factorySource: s.toString(), exportNames };
}
