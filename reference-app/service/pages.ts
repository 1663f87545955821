// Pagination as the service realizes it (the class's `pagination`, plan.ts ClassPlan): a keyset walk
// over the seeded table's primary key. A request's first page starts at its key's first row
// (firstRow: keys spread over the table, every walk of `pages` full pages inside it); each page is
// `WHERE id > after ORDER BY id LIMIT page_size`, which reads exactly page_size index entries and
// rows wherever the page is (what the model counts: page_size rows per read), unlike OFFSET, whose
// cost grows with the page number. The answer names the next page in a `Link: <...>; rel="next"`
// header (RFC 8288) with `?after=<last id>`, which the load generators follow.

/** The first row of key `key`'s walk: walks of `pageSize x pages` rows spread over `rows` rows, each inside the table. */
export function firstRow(key: number, pageSize: number, pages: number, rows: number): number {
  const span = pageSize * pages;
  const starts = Math.max(1, rows - span + 1);
  return (key * span) % starts;
}

/** The `after` of a page's query: the request's `?after=` (a row id), else the row before its key's first. */
export function pageAfter(search: URLSearchParams, key: number, pageSize: number, pages: number, rows: number): number | string {
  const raw = search.get("after");
  if (raw === null) return firstRow(key, pageSize, pages, rows) - 1;
  if (!/^-?\d{1,15}$/.test(raw) || Number(raw) < -1) return "after must be a row id (an integer from -1)";
  return Number(raw);
}

/**
 * The Link header of a page that read `read` (undefined: the request read no rows) after `after`:
 * the same path after its last row; none when the page was not full (the table's end). A request
 * whose handler reads no rows still links the next page (after + pageSize), as the model's client
 * walks its pages whatever the handler does.
 */
export function nextLink(pathname: string, after: number, pageSize: number, read: { rows: number; last?: number } | undefined): string | undefined {
  if (read !== undefined && (read.rows < pageSize || read.last === undefined)) return undefined;
  return `<${pathname}?after=${read?.last ?? after + pageSize}>; rel="next"`;
}
