// Which request class of a scenario a k6 sample belongs to, for results Headroom did not produce
// (`headroom compare`): by the `name` tag when it is a class's name (Headroom's script tags every
// request so), else by the request's URL against each class's http.method and http.path, `{key}`
// matching one path segment and the path matched at the end of the URL's path (so a gateway prefix
// such as /api is allowed). k6 sets `name` to the URL when a script gives none, so both tags are
// tried as URLs. Trades away query strings and path templates other than {key}: a sample that fits
// no class is counted as unmatched and reported by its name, never guessed into a class.

export interface ClassPattern {
  name: string;
  method?: string;
  path?: string;
}

export type Classifier = (tags: Readonly<Record<string, string>> | undefined) => string | undefined;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The regular expression a class's path becomes: {key} is one segment; the path ends the URL's path. */
export function pathPattern(path: string): RegExp {
  return new RegExp(`${path.split("{key}").map(escapeRegExp).join("[^/?#]+")}$`);
}

function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return url.startsWith("/") ? url.split(/[?#]/)[0] : undefined;
  }
}

export function classifier(classes: readonly ClassPattern[]): Classifier {
  const byName = new Set(classes.map((c) => c.name));
  const byPath = classes.filter((c) => c.path !== undefined).map((c) => ({ name: c.name, method: c.method, re: pathPattern(c.path!) }));
  return (tags) => {
    if (!tags) return undefined;
    if (tags.name !== undefined && byName.has(tags.name)) return tags.name;
    for (const u of [tags.url, tags.name]) {
      const p = u === undefined ? undefined : pathOf(u);
      if (p === undefined) continue;
      const hit = byPath.find((c) => c.re.test(p) && (tags.method === undefined || c.method === undefined || c.method === tags.method));
      if (hit) return hit.name;
    }
    return undefined;
  };
}
