// One pass over a composed YAML document that indexes every mapping's keys and finds duplicate keys
// and recursive aliases.
// Why: the yaml package's `uniqueKeys` compares each new key with every earlier key of its mapping
// (40k top-level keys cost 12.7 s), and finding an error's field by scanning each mapping's pairs is
// linear per error. Here every mapping gets a Map from key value to its first pair, built once; a
// duplicate is a key already in that Map, with the same equality as yaml's check (scalar keys equal
// by value; alias and collection keys only by identity, so never duplicates; NaN never equals
// itself). An alias inside the collection its anchor names would make the data contain itself,
// which no scenario means and which the schema's messages cannot print: it is found on the same walk
// (in document order, tracking the collections it is inside). Trades away: one Map per mapping held
// while the errors are located.
// Pure and iterative (an explicit stack): a deeply nested document cannot overflow the call stack.
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Document, type Pair, type YAMLMap } from "yaml";
import { pathToString } from "./errors.ts";

export interface DuplicateKey {
  /** Offset of the repeated key (where yaml's own check points). */
  readonly offset: number;
  /** Field path of the repeated key, e.g. `components.api.servers`. */
  readonly path: string;
}

export interface KeyIndex {
  /** The first pair of `map` whose key is the scalar `key` (as yaml's `items.find` would return). */
  pair(map: YAMLMap, key: unknown): Pair | undefined;
  readonly duplicates: ReadonlyArray<DuplicateKey>;
  /** Aliases inside the node their anchor names (`&a [*a]`): the data would contain itself. */
  readonly cycles: ReadonlyArray<DuplicateKey>;
}

const NO_KEY = Symbol("no key"); // a pair without a key node (yaml's `null === null` makes two of them equal)
const SKIP = Symbol("not compared");

export function indexKeys(doc: Document): KeyIndex {
  const byMap = new Map<YAMLMap, Map<unknown, Pair>>();
  const duplicates: DuplicateKey[] = [];
  const cycles: DuplicateKey[] = [];
  // Parallel stacks, walked in document order: the node (or an Exit marking the end of a
  // collection) and the entry of the collection holding it (for paths).
  const nodes: unknown[] = [doc.contents];
  const owners: number[] = [0];
  // One entry per collection or alias visited: its parent's entry and its key there (a key node or
  // a sequence index), so a path is built only for a finding. Entry 0 is the document root.
  const parentOf: number[] = [-1];
  const keyOf: unknown[] = [""];
  const pathOf = (entry: number, key: unknown): string => {
    const path: PropertyKey[] = key === undefined ? [] : [keyName(key)];
    for (let e = entry; e > 0; e = parentOf[e]) path.push(keyName(keyOf[e]));
    return pathToString(path.reverse());
  };
  // Anchors by name as defined so far (a later definition replaces an earlier one, as for yaml), and
  // the collections the walk is inside: an alias to one of those makes the data recursive.
  const anchors = new Map<string, unknown>();
  const open = new Set<unknown>();
  // Anchored scalars go on the stack too, so that every anchor is defined in document order.
  const child = (node: unknown, owner: number, key: unknown) => {
    if (!isCollection(node) && !isAlias(node) && !(isScalar(node) && node.anchor)) return;
    nodes.push(node);
    owners.push(parentOf.length);
    parentOf.push(owner);
    keyOf.push(key);
  };

  while (nodes.length > 0) {
    const node = nodes.pop();
    const owner = owners.pop()!;
    if (node instanceof Exit) { open.delete(node.node); continue; }
    if (isAlias(node)) {
      if (open.has(anchors.get(node.source))) cycles.push({ offset: node.range?.[0] ?? 0, path: pathOf(owner, undefined) });
      continue;
    }
    if (isScalar(node)) { if (node.anchor) anchors.set(node.anchor, node); continue; }
    if (!isCollection(node) && !isPair(node)) continue;
    if (isCollection(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      open.add(node);
      nodes.push(new Exit(node));
      owners.push(owner);
    }
    if (isMap(node)) {
      const keys = new Map<unknown, Pair>();
      byMap.set(node, keys);
      for (const item of node.items) {
        const key: unknown = item.key;
        // The value a key is compared by; collection and alias keys equal only themselves: skipped.
        const value = isScalar(key) ? key.value : key === null || key === undefined ? NO_KEY : SKIP;
        if (value !== SKIP && !Number.isNaN(value)) { // NaN equals nothing, as in yaml's check
          if (!keys.has(value)) keys.set(value, item);
          else duplicates.push({ offset: offsetOfKey(item, node), path: pathOf(owner, key) });
        }
      }
      // Children are pushed last first, so they come off the stack in document order.
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        child(item.value, owner, item.key);
        child(item.key, owner, "?");
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (isPair(item)) { nodes.push(item); owners.push(owner); } else child(item, owner, i);
      }
    } else if (isPair(node)) {
      child(node.value, owner, node.key);
      child(node.key, owner, "?");
    }
  }
  return {
    pair: (map, key) => byMap.get(map)?.get(key),
    duplicates,
    cycles,
  };
}

/** Marks, on the walk's stack, the end of a collection's contents. */
class Exit {
  constructor(readonly node: unknown) {}
}

type Ranged = { range?: [number, number, number] | null } | null | undefined;

function offsetOfKey(item: Pair, map: YAMLMap): number {
  return (item.key as Ranged)?.range?.[0] ?? (item.value as Ranged)?.range?.[0] ?? map.range?.[0] ?? 0;
}

function keyName(key: unknown): PropertyKey {
  return typeof key === "number" ? key : isScalar(key) ? String(key.value) : "?";
}
