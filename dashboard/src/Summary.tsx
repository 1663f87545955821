// The run's headline and tables: SLO verdict, bottleneck, run facts; then per request class the
// throughput, latency percentiles and error rate, and per component utilization, queue, waits and
// drops, each with its 95% confidence half-width over replications.
import type { SimResult } from "../../simulator/index.ts";
import { num, pct, pctCi, withCi } from "./format.ts";

export function Headline({ result, elapsedMs, children }: { result: SimResult; elapsedMs: number | null; children?: React.ReactNode }) {
  const slo = result.slo;
  const b = result.bottleneck ? result.components[result.bottleneck] : undefined;
  return (
    <div className="headline" data-testid="headline">
      <div className={`stat ${slo ? (slo.pass ? "ok" : "bad") : ""}`}>
        <div className="stat-label">SLO</div>
        <div className="stat-value">{slo ? (slo.pass ? "PASS" : "FAIL") : "none set"}</div>
        {slo && <div className="stat-sub">{slo.checks.filter((c) => c.pass).length}/{slo.checks.length} checks</div>}
      </div>
      <div className="stat" data-testid="bottleneck">
        <div className="stat-label">Bottleneck</div>
        <div className="stat-value">{result.bottleneck ?? "–"}</div>
        {b && <div className="stat-sub">utilization {pct(b.utilization.mean)}</div>}
      </div>
      {Object.entries(result.classes).slice(0, 2).map(([name, c]) => (
        <div className="stat" key={name}>
          <div className="stat-label">{name} p99</div>
          <div className="stat-value">{num(c.latencyMs.p99.mean)} ms</div>
          <div className="stat-sub">{num(c.throughput.mean)} req/s</div>
        </div>
      ))}
      {Object.entries(result.components).filter(([, c]) => c.hitRatio).slice(0, 1).map(([name, c]) => (
        <div className="stat" key={name} data-testid="hit-ratio">
          <div className="stat-label">{name} hit ratio</div>
          <div className="stat-value">{pct(c.hitRatio!.mean)}</div>
          <div className="stat-sub">{c.hitRatio!.ci95 !== null && Number.isFinite(c.hitRatio!.ci95) ? `± ${pct(c.hitRatio!.ci95, 2)} (95% CI)` : "one replication: no CI"}</div>
        </div>
      ))}
      {result.cost && (
        <div className="stat" data-testid="cost">
          <div className="stat-label">Cost</div>
          <div className="stat-value">{num(result.cost.perHour)} /h</div>
          <div className="stat-sub">{num(result.cost.perMonth)} /month{result.cost.perMillionRequests !== null ? ` · ${num(result.cost.perMillionRequests)} per million requests` : ""}</div>
        </div>
      )}
      {children}
      <div className="stat">
        <div className="stat-label">Run</div>
        <div className="stat-value">{num(result.run.events)} events</div>
        <div className="stat-sub">{result.run.replications} × {num(result.run.durationS)} s (warm-up {num(result.run.warmupS)} s){elapsedMs !== null ? ` · ${(elapsedMs / 1000).toFixed(1)} s wall · ${num(result.run.events / Math.max(elapsedMs / 1000, 1e-3))} ev/s` : " · from a file"}</div>
      </div>
    </div>
  );
}

export function SloTable({ result }: { result: SimResult }) {
  if (!result.slo) return null;
  return (
    <table className="grid slo" data-testid="slo-table">
      <thead><tr><th>SLO check</th><th>class</th><th className="r">limit</th><th className="r">predicted</th><th>verdict</th></tr></thead>
      <tbody>
        {result.slo.checks.map((c) => {
          const ratio = c.metric === "error_rate";
          return (
            <tr key={`${c.metric}-${c.class}`}>
              <td>{c.metric.replace(/_ms$/, "")}</td>
              <td>{c.class ?? "all"}</td>
              <td className="r">{ratio ? pct(c.limit, 2) : `${num(c.limit)} ms`}</td>
              <td className="r">{ratio ? pct(c.value, 3) : `${num(c.value)} ms`}</td>
              <td className={c.pass ? "ok" : "bad"}>{c.pass ? "pass" : "fail"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function ClassTable({ result }: { result: SimResult }) {
  return (
    <table className="grid" data-testid="class-table">
      <thead>
        <tr>
          <th title="a request class of the load (load.classes)">class</th>
          <th className="r" title="requests completed per second in the statistics window (warm-up left out)">throughput (req/s)</th>
          <th className="r" title="end-to-end latency of completed requests, from arrival to the last response">mean (ms)</th>
          <th className="r" title="median latency: half the completed requests took less">p50 (ms)</th>
          <th className="r" title="95th percentile latency: 1 in 20 completed requests took longer">p95 (ms)</th>
          <th className="r" title="99th percentile latency: 1 in 100 completed requests took longer">p99 (ms)</th>
          <th className="r" title="99.9th percentile latency: 1 in 1,000 completed requests took longer">p99.9 (ms)</th>
          <th className="r" title="failed or dropped requests (timed out, refused, shed, short-circuited) over all that ended">error rate</th>
          <th className="r" title="requests completed in the statistics window, summed over the replications">completed</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(result.classes).map(([name, c]) => (
          <tr key={name}>
            <td>{name}</td>
            <td className="r">{withCi(c.throughput)}</td>
            <td className="r">{withCi(c.latencyMs.mean)}</td>
            <td className="r">{withCi(c.latencyMs.p50)}</td>
            <td className="r">{withCi(c.latencyMs.p95)}</td>
            <td className="r">{withCi(c.latencyMs.p99)}</td>
            <td className="r">{withCi(c.latencyMs.p999)}</td>
            <td className="r">{pctCi(c.errorRate)}</td>
            <td className="r">{num(c.counts.completed)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type Component = SimResult["components"][string];

/** What a kind adds beyond utilization and queue, as the CLI's table notes: hit ratio, lag, pool waits, backlog, timeouts, retries and the breaker, rate limiting, auto-scaled instances, a function's cold starts, a realtime server's connections and messages. */
export function componentDetails(c: Component): string {
  const out: string[] = [];
  if (c.hitRatio) out.push(`hit ${pct(c.hitRatio.mean)}`);
  if (c.staleReadRatio && c.staleReadRatio.mean > 0) out.push(`stale reads ${pct(c.staleReadRatio.mean, 2)}`);
  if (c.replicationLagMs && Number.isFinite(c.replicationLagMs.p95.mean)) out.push(`lag p95 ${num(c.replicationLagMs.p95.mean)} ms`);
  if (c.poolWaitMs && Number.isFinite(c.poolWaitMs.p95.mean)) out.push(`pool wait p95 ${num(c.poolWaitMs.p95.mean)} ms`);
  if (c.reads !== undefined || c.writes !== undefined) out.push(`${num(c.reads ?? 0)} reads / ${num(c.writes ?? 0)} writes`);
  if (c.lostWrites) out.push(`${withCi(c.lostWrites)} lost writes (failover, per replication)`);
  if (c.queue) {
    out.push(`backlog ${withCi(c.queue.backlog)}`, `async p95 ${num(c.queue.asyncLatencyMs.p95.mean)} ms`);
    if (c.queue.deadLettered) out.push(`${c.queue.deadLettered} dead-lettered`);
    if (c.queue.retries) out.push(`${c.queue.retries} retries`);
  }
  if (c.balancer && Number.isFinite(c.balancer.queueWaitMs.p95.mean)) out.push(`balancer queue wait p95 ${num(c.balancer.queueWaitMs.p95.mean)} ms`);
  if (c.timeouts) out.push(`${c.timeouts} timeouts`);
  // as the CLI's table: retries and short-circuits are counts over all replications, the breaker's times per replication
  const rs = c.resilience;
  if (rs && rs.retries + rs.shortCircuited + rs.retryBudgetDenied > 0) out.push(`${rs.retries} retries, ${rs.retryBudgetDenied} denied by the retry budget, ${rs.shortCircuited} short-circuited`);
  if (c.breaker) out.push(`breaker open ${pctCi(c.breaker.openShare)}, half-open ${pct(c.breaker.halfOpenShare.mean)} of the time, opened ${withCi(c.breaker.openings)}× per replication`);
  if (c.rateLimited) out.push(`${c.rateLimited} rate limited`);
  // a service's mean running instances (its replicas, or the autoscaler's average)
  if (c.instances && c.servers !== null && Number.isFinite(c.instances.mean)) out.push(`instances ${withCi(c.instances)}`);
  const f = c.function;
  if (f) out.push(`cold starts ${pctCi(f.coldStartShare)}, p95 cold ${withCi(f.coldLatencyMs.p95)} ms / warm ${withCi(f.warmLatencyMs.p95)} ms, peak ${f.peakInstances} instances, ${withCi(f.gbSecondsPerSecond)} GB-s/s${f.throttled ? `, ${f.throttled} throttled` : ""}`);
  // result files from before the start figures have no boots
  if (f?.boots && f.boots.completed > 0) out.push(`${f.boots.completed} instance starts: mean ${withCi(f.boots.timeMs.mean)} ms, p95 ${withCi(f.boots.timeMs.p95)} ms, ${withCi(f.boots.inProgress)} starting on average (peak ${f.boots.peakInProgress})`);
  const rt = c.realtime;
  if (rt) {
    const n = rt.counts;
    out.push(`connections ${withCi(rt.connections)} (peak ${rt.peakConnections}, ${num(rt.memoryPeakBytes / 2 ** 20)} MiB peak per instance)`);
    out.push(`messages in ${withCi(rt.messagesInPerSecond)}/s, out ${withCi(rt.messagesOutPerSecond)}/s, delivery p99 ${withCi(rt.deliveryMs.p99)} ms`);
    if (n.dropped + n.refused + n.lost + n.outOfMemory > 0) out.push(`${n.dropped} dropped, ${n.reconnects} reconnected (peak ${withCi(rt.reconnectPeakPerSecond)}/s), ${n.refused} refused, ${n.lost} lost, out of memory ${n.outOfMemory}×`);
  }
  return out.join(" · ");
}

const dropCount = (c: Component) => Object.values(c.drops).reduce((a, x) => a + x, 0);
const dropTitle = (c: Component) => Object.entries(c.drops).map(([k, v]) => `${k}: ${v}`).join(", ") || "none";

export function ComponentTable({ result }: { result: SimResult }) {
  return (
    <table className="grid" data-testid="component-table">
      <thead>
        <tr>
          <th title="◆ marks the bottleneck: the highest utilization">component</th>
          <th title="the component's kind (docs/scenario-format.md)">kind</th>
          <th className="r" title="units that serve requests in parallel: servers, replicas × concurrency, workers or connections (– for a kind without units, such as a CDN)">servers</th>
          <th className="r" title="time-average share of the units busy, over the statistics window">utilization</th>
          <th className="r" title="requests the component completed (a CDN: answered) per second">throughput (req/s)</th>
          <th className="r" title="requests waiting for a unit, time average">queue (mean)</th>
          <th className="r" title="the longest queue seen in any replication">queue (max)</th>
          <th className="r" title="95th percentile of the time a request waited for a unit">wait p95 (ms)</th>
          <th className="r" title="95th percentile of wait plus service at this component">response p95 (ms)</th>
          <th className="r" title="requests the component turned away (full buffer, queue timeout...); hover a count for the reasons">drops</th>
          <th title="what the kind adds, as the CLI's table notes">details</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(result.components).map(([name, c]) => (
          <tr key={name} className={result.bottleneck === name ? "hot" : ""}>
            <td>{name}{result.bottleneck === name ? " ◆" : ""}</td>
            <td>{c.kind.replace("_", " ")}</td>
            <td className="r">{c.servers ?? "–"}</td>
            <td className="r">{pctCi(c.utilization)}</td>
            <td className="r">{withCi(c.throughput)}</td>
            <td className="r">{withCi(c.queueLength)}</td>
            <td className="r">{num(c.maxQueue)}</td>
            <td className="r">{withCi(c.waitMs.p95)}</td>
            <td className="r">{withCi(c.responseMs.p95)}</td>
            <td className="r" title={dropTitle(c)}>{dropCount(c)}</td>
            <td className="details">{componentDetails(c)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
