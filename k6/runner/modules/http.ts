// The `k6/http` module: requests with k6's params, responses, redirects, batch, expected statuses, and
// the eight http_req_* samples per request with k6's tags. Runs on the VU's own keep-alive transport.
import type { Vu } from "../vu.ts";
import { headersOf, type RawResponse } from "../http-client.ts";
import { parseDuration } from "../options.ts";
import { UnsupportedApiError } from "./index.ts";
import type { Tags } from "../metrics.ts";

type Params = {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  responseType?: "text" | "binary" | "none";
  redirects?: number;
  responseCallback?: ExpectedStatuses | null;
  [k: string]: unknown;
};
const PARAM_KEYS = new Set(["headers", "tags", "timeout", "responseType", "redirects", "responseCallback", "jar", "cookies", "auth", "compression"]);

interface ExpectedStatuses {
  __expected: Array<number | { min: number; max: number }>;
}
const defaultExpected: ExpectedStatuses = { __expected: [{ min: 200, max: 399 }] };

function asExpected(v: unknown, where: string): ExpectedStatuses | null {
  if (v === null) return null;
  if (v && typeof v === "object" && Array.isArray((v as ExpectedStatuses).__expected)) return v as ExpectedStatuses;
  // k6 accepts only what http.expectedStatuses() returns, or null
  throw new Error(`${where}: unsupported argument, expected http.expectedStatuses`);
}

function isExpected(status: number, e: ExpectedStatuses): boolean {
  for (const x of e.__expected) {
    if (typeof x === "number" ? status === x : status >= x.min && status <= x.max) return true;
  }
  return false;
}

export class Response {
  private rawBody: Buffer | null;
  private bodyValue: string | ArrayBuffer | null | undefined = undefined;
  private headerValue: Record<string, string> | null = null;
  constructor(
    readonly status: number,
    readonly status_text: string,
    private readonly raw: RawResponse,
    private readonly responseType: "text" | "binary" | "none",
    readonly timings: RawResponse["timings"],
    readonly url: string,
    readonly error: string,
    readonly error_code: number,
    readonly request: { method: string; url: string; headers: Record<string, string>; body: string },
    readonly proto: string,
  ) {
    this.rawBody = raw.body;
  }
  readonly remote_ip = "127.0.0.1";
  readonly remote_port = 0;
  readonly tls_version = "";
  readonly cookies: Record<string, unknown[]> = {};
  private parsed: unknown = undefined;

  // decoded on first use: most scripts read the status and timings only
  get body(): string | ArrayBuffer | null {
    if (this.bodyValue === undefined) {
      const b = this.rawBody;
      if (b) this.bodyValue = this.responseType === "binary" ? (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer) : b.toString("utf8");
      else if (this.responseType !== "none" && !this.raw.errorCode) this.bodyValue = this.responseType === "binary" ? new ArrayBuffer(0) : "";
      else this.bodyValue = null;
      this.rawBody = null;
    }
    return this.bodyValue;
  }

  get headers(): Record<string, string> {
    return (this.headerValue ??= headersOf(this.raw));
  }

  json(selector?: string): unknown {
    if (typeof this.body !== "string") throw new Error("cannot parse the response body as JSON: the body is not text (responseType)");
    if (this.parsed === undefined) this.parsed = JSON.parse(this.body);
    if (selector === undefined) return this.parsed;
    let cur: any = this.parsed;
    for (const part of selector.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
      if (cur == null) return undefined;
      cur = cur[/^\d+$/.test(part) ? Number(part) : part];
    }
    return cur;
  }
  html(): never {
    throw new UnsupportedApiError("Response.html() is not supported by the built-in runner");
  }
  submitForm(): never {
    throw new UnsupportedApiError("Response.submitForm() is not supported by the built-in runner");
  }
  clickLink(): never {
    throw new UnsupportedApiError("Response.clickLink() is not supported by the built-in runner");
  }
}

function encodeBody(body: unknown): string | Buffer | null {
  if (body == null) return null;
  if (typeof body === "string") return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === "object") {
    // k6 sends a plain object as an urlencoded form
    return Object.entries(body as Record<string, unknown>)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join("&");
  }
  return String(body);
}

export function httpModule(vu: Vu): Record<string, unknown> {
  const engine = vu.engine;
  const b = engine.builtins;
  const opts = {
    get userAgent() { return engine.options!.userAgent; },
    get discardResponseBodies() { return engine.options!.discardResponseBodies; },
    get batch() { return engine.options!.batch; },
    get batchPerHost() { return engine.options!.batchPerHost; },
  };
  // null after setResponseCallback(null): as in k6, no expected_response tag and no http_req_failed
  let expected: ExpectedStatuses | null = defaultExpected;
  let lastTags: { base: Tags; ok: boolean | null; status: number; method: string; name: string; url: string; tags: Tags } | null = null;

  /** One request with its redirects; `parallel` (http.batch) gives it a connection of its own instead of the VU's one. */
  async function request(method: string, urlArg: unknown, body: unknown, params?: Params | null, parallel = false): Promise<Response> {
    vu.checkInterrupted();
    let url: string;
    let nameTag: string | undefined;
    if (typeof urlArg === "string") url = urlArg;
    else if (urlArg && typeof urlArg === "object" && "url" in urlArg) {
      url = String((urlArg as { url: string }).url);
      nameTag = (urlArg as { name?: string }).name;
    } else throw new Error(`invalid URL ${JSON.stringify(urlArg)}: expected a string`);
    if (params) {
      for (const k of Object.keys(params)) {
        if (!PARAM_KEYS.has(k)) throw new UnsupportedApiError(`request param '${k}' is not supported by the built-in runner`);
        if (k === "jar" || k === "cookies" || k === "auth" || k === "compression") {
          throw new UnsupportedApiError(`request param '${k}' is not supported by the built-in runner`);
        }
      }
    }
    const headers: Record<string, string> = opts.userAgent ? { "user-agent": opts.userAgent } : {};
    if (params?.headers) for (const k of Object.keys(params.headers)) headers[k.toLowerCase()] = String(params.headers[k]);
    let payload = encodeBody(body);
    if (body && typeof body === "object" && !(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body) && !headers["content-type"]) {
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const timeoutMs = params?.timeout !== undefined ? parseDuration(params.timeout, "params.timeout") : 60_000;
    const responseType = params?.responseType ?? (opts.discardResponseBodies ? "none" : "text");
    let redirectsLeft = params?.redirects ?? 10;
    let m = method.toUpperCase();
    for (;;) {
      const parsed = parseTarget(url);
      engine.assertAllowed(parsed.origin, url);
      const raw = await vu.transport.request({
        origin: parsed.origin,
        path: parsed.path,
        method: m,
        headers,
        body: payload,
        timeoutMs,
        discardBody: responseType === "none",
      }, parallel);
      vu.checkInterrupted();
      const cb = params && "responseCallback" in params ? asExpected(params.responseCallback, "params.responseCallback") : expected;
      const res = record(m, url, nameTag ?? url, raw, params?.tags, cb, headers, payload, responseType);
      const location = raw.status >= 300 && raw.status < 400 ? headersOf(raw)["Location"] : undefined;
      if (location && raw.status >= 300 && raw.status < 400 && redirectsLeft > 0) {
        redirectsLeft--;
        url = new URL(location, url).toString();
        nameTag = undefined;
        if (raw.status === 303 || ((raw.status === 301 || raw.status === 302) && m === "POST")) {
          m = "GET";
          payload = null;
          delete headers["content-type"];
        }
        continue;
      }
      return res;
    }

  }

  // one function per VU, not per request: the nine http_req_* samples and the Response
  function record(
    method: string,
    url: string,
    name: string,
    raw: RawResponse,
    extraTags: Record<string, string> | undefined,
    cb: ExpectedStatuses | null,
    headers: Record<string, string>,
    payload: string | Buffer | null,
    responseType: "text" | "binary" | "none",
  ): Response {
    const ok = cb ? isExpected(raw.status, cb) : null;
    const base = vu.tags();
    let tags: Tags;
    const last = lastTags;
    // a VU usually repeats the same request: reuse its tag set (samples never keep it)
    if (last && !raw.errorCode && !extraTags && last.base === base && last.ok === ok && last.status === raw.status && last.method === method && last.name === name && last.url === url) {
      tags = last.tags;
    } else {
      tags = {
        ...base,
        method,
        name,
        proto: raw.status ? "HTTP/1.1" : "",
        status: String(raw.status),
        url,
      };
      if (ok !== null) tags.expected_response = ok ? "true" : "false";
      if (raw.errorCode) {
        tags.error = raw.error;
        tags.error_code = String(raw.errorCode);
      } else if (raw.status >= 400) tags.error_code = String(1000 + raw.status);
      if (extraTags) Object.assign(tags, extraTags);
      // k6 (httpext/transport.go): a name set by hand or by http.url also becomes the url tag, so
      // the indexed tags never carry every distinct URL
      if (tags.name !== url) tags.url = tags.name;
      lastTags = raw.errorCode || extraTags ? null : { base, ok, status: raw.status, method, name, url, tags };
    }
    const t = raw.timings;
    const time = raw.startedAt + t.blocked + t.duration;
    const reg = engine.metrics;
    reg.push(b.http_reqs, 1, tags, time);
    reg.push(b.http_req_duration, t.duration, tags, time);
    reg.push(b.http_req_blocked, t.blocked, tags, time);
    reg.push(b.http_req_connecting, t.connecting, tags, time);
    reg.push(b.http_req_tls_handshaking, t.tls_handshaking, tags, time);
    reg.push(b.http_req_sending, t.sending, tags, time);
    reg.push(b.http_req_waiting, t.waiting, tags, time);
    reg.push(b.http_req_receiving, t.receiving, tags, time);
    if (ok !== null) reg.push(b.http_req_failed, ok ? 0 : 1, tags, time);
    if (raw.errorCode) engine.logRequestError(`Request Failed error="${raw.error}" url=${url}`);
    return new Response(
      raw.status,
      raw.status ? `${raw.status} ${raw.statusText}` : "",
      raw,
      responseType,
      t,
      url,
      raw.error,
      // k6: 1000 + status for an HTTP 4xx/5xx answer (1404, 1503), with an empty error message
      raw.errorCode || (raw.status >= 400 ? 1000 + raw.status : 0),
      { method, url, headers, body: typeof payload === "string" ? payload : "" },
      raw.status ? "HTTP/1.1" : "",
    );
  }

  const withBody = (method: string) => (url: unknown, body?: unknown, params?: Params) => request(method, url, body, params);
  const noBody = (method: string) => (url: unknown, params?: Params) => request(method, url, null, params);

  return {
    get: noBody("GET"),
    head: noBody("HEAD"),
    post: withBody("POST"),
    put: withBody("PUT"),
    patch: withBody("PATCH"),
    del: withBody("DELETE"),
    options: withBody("OPTIONS"),
    request: (method: string, url: unknown, body?: unknown, params?: Params) => request(method, url, body, params),
    // concurrent asyncRequests of a VU each get a connection, as in k6 (Go opens one per request in flight)
    asyncRequest: (method: string, url: unknown, body?: unknown, params?: Params) => request(method, url, body, params, true),
    async batch(reqs: unknown): Promise<unknown> {
      if (engine.inInit) throw new Error("Using batch in the init context is not supported");
      if (!reqs || typeof reqs !== "object") throw new Error("http.batch() accepts only an array or an object of requests");
      const entries: Array<[string | number, unknown]> = Array.isArray(reqs) ? reqs.map((r, i) => [i, r]) : Object.entries(reqs as object);
      const parsed = entries.map(([key, r]) => {
        let method = "GET";
        let url: unknown;
        let body: unknown = null;
        let params: Params | undefined;
        if (typeof r === "string" || (r && typeof r === "object" && !Array.isArray(r) && "url" in r && "name" in r)) url = r;
        else if (Array.isArray(r)) [method, url, body, params] = r as [string, unknown, unknown, Params];
        else if (r && typeof r === "object") {
          const o = r as { method?: string; url: unknown; body?: unknown; params?: Params };
          method = o.method ?? "GET";
          url = o.url;
          body = o.body ?? null;
          params = o.params;
        }
        const u = typeof url === "string" ? url : url && typeof url === "object" && "url" in url ? String((url as { url: unknown }).url) : "";
        let host = "";
        try {
          host = new URL(u).host;
        } catch {
          // request() reports the bad URL
        }
        return { key, method, url, body, params, host };
      });
      // as k6's MakeBatchRequests: min(n, batch) workers take the requests in order, each waiting
      // for one of the host's batchPerHost slots (0: unlimited); each request on its own connection
      const results: Record<string | number, Response> = {};
      const perHost = opts.batchPerHost;
      const inFlight = new Map<string, number>();
      const waiters = new Map<string, Array<() => void>>();
      const acquire = async (host: string): Promise<void> => {
        if (perHost <= 0) return;
        while ((inFlight.get(host) ?? 0) >= perHost) {
          await new Promise<void>((r) => {
            let q = waiters.get(host);
            if (!q) waiters.set(host, (q = []));
            q.push(r);
          });
        }
        inFlight.set(host, (inFlight.get(host) ?? 0) + 1);
      };
      const release = (host: string): void => {
        if (perHost <= 0) return;
        inFlight.set(host, (inFlight.get(host) ?? 1) - 1);
        waiters.get(host)?.shift()?.();
      };
      let next = 0;
      let firstError: unknown = null;
      const worker = async () => {
        while (next < parsed.length && firstError === null) {
          const p = parsed[next++];
          await acquire(p.host);
          try {
            results[p.key] = await request(p.method, p.url, p.body, p.params, true);
          } catch (e) {
            firstError ??= e;
          } finally {
            release(p.host);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.batch, parsed.length)) }, worker));
      if (firstError !== null) throw firstError;
      return Array.isArray(reqs) ? parsed.map((p) => results[p.key]) : results;
    },
    expectedStatuses(...args: Array<number | { min: number; max: number }>): ExpectedStatuses {
      return { __expected: args };
    },
    setResponseCallback(cb: unknown): void {
      expected = asExpected(cb, "http.setResponseCallback()");
    },
    url(strings: TemplateStringsArray, ...values: unknown[]): { url: string; name: string } {
      let url = strings[0];
      let name = strings[0];
      values.forEach((v, i) => {
        url += String(v) + strings[i + 1];
        // biome-ignore lint/suspicious/noTemplateCurlyInString: k6 names a templated URL with literal ${} placeholders
        name += "${}" + strings[i + 1];
      });
      return { url, name };
    },
  };
}

const targetCache = new Map<string, { origin: string; path: string }>();
function parseTarget(url: string): { origin: string; path: string } {
  let t = targetCache.get(url);
  if (t) return t;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid URL '${url}'`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`unsupported URL scheme in '${url}': only http and https`);
  t = { origin: u.origin, path: u.pathname + u.search };
  if (targetCache.size < 10_000) targetCache.set(url, t);
  return t;
}
