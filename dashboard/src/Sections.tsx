// The result's sections beyond classes and components, as the CLI prints them (shared/format-table.ts):
// users by region (throughput, latency, errors, requests failed over), the bill per component,
// the whole-run accounting (arrived = completed + dropped + failed + in flight; messages), and
// the run's events with their times. Prices carry no currency in the scenario format, so costs
// are shown in "price units" (whatever currency the scenario's prices are in). Scenarios with
// payloads add bytes per component and edge and the egress links (PayloadTable).
import { payloadEdges, type SimResult } from "../../simulator/index.ts";
import { num, pct, pctCi, withCi } from "./format.ts";
import { EVENT_COLORS, type TimeEvent } from "./events.ts";

/** Bytes per second per component and per edge, and the links' utilization (scenarios with payloads). */
export function PayloadTable({ result }: { result: SimResult }) {
  const sized = payloadEdges(result.edges);
  if (sized.length === 0) return null;
  const mb = (e: { mean: number; ci95: number | null }) => withCi(e, 1e-6);
  const links = [
    ...Object.entries(result.components).filter(([, c]) => c.link).map(([n, c]) => [n, c.link!] as const),
    ...Object.entries(result.regionLinks ?? {}),
  ];
  return (
    <div data-testid="payload-table">
      <table className="grid">
        <thead><tr><th>component</th><th className="r">in (MB/s)</th><th className="r">out (MB/s)</th><th className="r">rows read/s</th></tr></thead>
        <tbody>
          {Object.entries(result.components).filter(([, c]) => c.bytes).map(([n, c]) => (
            <tr key={n}><td>{n}</td><td className="r">{mb(c.bytes!.inPerSecond)}</td><td className="r">{mb(c.bytes!.outPerSecond)}</td><td className="r">{c.bytes!.rowsReadPerSecond ? withCi(c.bytes!.rowsReadPerSecond) : "–"}</td></tr>
          ))}
        </tbody>
      </table>
      {links.length > 0 && (
        <table className="grid">
          <thead><tr><th>link</th><th className="r">Mbit/s</th><th className="r">utilization</th><th className="r">transfers in flight</th><th className="r">transfer mean (ms)</th><th className="r">transfer p99 (ms)</th></tr></thead>
          <tbody>
            {links.map(([n, l]) => (
              <tr key={n}><td>{n}</td><td className="r">{num(l.bandwidthBitsPerSecond / 1e6)}</td><td className="r">{pctCi(l.utilization)}</td><td className="r">{withCi(l.transfersInFlight)}</td><td className="r">{withCi(l.transferMs.mean)}</td><td className="r">{withCi(l.transferMs.p99)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <table className="grid">
        <thead><tr><th>edge</th><th className="r">request (MB/s)</th><th className="r">response (MB/s)</th><th className="r">responses/s</th></tr></thead>
        <tbody>
          {sized.map(([n, e]) => (
            <tr key={n}><td>{n}</td><td className="r">{mb(e.requestBytesPerSecond)}</td><td className="r">{mb(e.responseBytesPerSecond)}</td><td className="r">{withCi(e.responsesPerSecond)}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RegionTable({ result }: { result: SimResult }) {
  if (!result.regions) return null;
  return (
    <table className="grid" data-testid="region-table">
      <thead>
        <tr>
          <th>region</th><th className="r">share</th><th className="r">throughput (req/s)</th><th className="r">mean (ms)</th><th className="r">p50 (ms)</th>
          <th className="r">p95 (ms)</th><th className="r">p99 (ms)</th><th className="r">error rate</th><th className="r">failed over</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(result.regions).map(([name, g]) => (
          <tr key={name}>
            <td>{name}</td>
            <td className="r">{pct(g.share, 0)}</td>
            <td className="r">{withCi(g.throughput)}</td>
            <td className="r">{withCi(g.latencyMs.mean)}</td>
            <td className="r">{withCi(g.latencyMs.p50)}</td>
            <td className="r">{withCi(g.latencyMs.p95)}</td>
            <td className="r">{withCi(g.latencyMs.p99)}</td>
            <td className="r">{pctCi(g.errorRate)}</td>
            <td className="r" title="completed by another region's entry than its own">{num(g.counts.failedOver)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Price units per hour, with enough digits for small bills. */
const money = (v: number) => (Math.abs(v) < 100 ? String(+v.toPrecision(3)) : num(v, 4));

export function CostTable({ result }: { result: SimResult }) {
  const cost = result.cost;
  if (!cost) return null;
  return (
    <table className="grid" data-testid="cost-table">
      <thead>
        <tr><th>component</th><th className="r">instances billed</th><th className="r">requests billed (req/s)</th><th className="r">per hour</th><th className="r">per month (730 h)</th><th className="r">share</th></tr>
      </thead>
      <tbody>
        {Object.entries(cost.byComponent).map(([name, c]) => (
          <tr key={name}>
            <td>{name}</td>
            <td className="r">{c.instances > 0 ? num(c.instances) : "–"}</td>
            {/* v1 files have no requestsPerSecond */}
            <td className="r">{c.requestsPerSecond !== undefined ? num(c.requestsPerSecond) : "–"}</td>
            <td className="r">{money(c.perHour)}</td>
            <td className="r">{money(c.perHour * 730)}</td>
            <td className="r">{pct(cost.perHour > 0 ? c.perHour / cost.perHour : NaN)}</td>
          </tr>
        ))}
        <tr className="total">
          <td>total</td><td /><td />
          <td className="r">{money(cost.perHour)}</td><td className="r">{money(cost.perMonth)}</td>
          <td className="r">{cost.perMillionRequests !== null ? `${money(cost.perMillionRequests)} per million requests` : ""}</td>
        </tr>
      </tbody>
    </table>
  );
}

/** An exact count with thousands separators: accounting must add up to the request. */
const int = (v: number) => Math.round(v).toLocaleString("en-US");

export function Accounting({ result }: { result: SimResult }) {
  const a = result.accounting;
  const m = a.messages;
  const reasons = Object.entries(a.byReason);
  return (
    <div className="pad accounting" data-testid="accounting">
      <div><strong>{int(a.arrived)}</strong> arrived = <strong>{int(a.completed)}</strong> completed + <strong>{int(a.dropped)}</strong> dropped + <strong>{int(a.failed)}</strong> failed + <strong>{int(a.inFlightAtEnd)}</strong> in flight at the end</div>
      {reasons.length > 0 && <div className="muted">by reason: {reasons.map(([k, v]) => `${k} ${int(v)}`).join(", ")}</div>}
      {m.published > 0 && <div>messages: {int(m.published)} published = {int(m.processed)} processed + {int(m.deadLettered)} dead-lettered + {int(m.droppedHead)} dropped (drop-head) + {int(m.inQueueAtEnd)} in the queue at the end</div>}
      <div className="muted">all replications, whole run (warm-up included)</div>
    </div>
  );
}

export function EventsTable({ events, unmarkedRandomFailures }: { events: readonly TimeEvent[]; unmarkedRandomFailures: number }) {
  if (events.length === 0 && unmarkedRandomFailures === 0) return <div className="muted pad">No load steps, failures, outages or scaling actions in this run.</div>;
  return (
    <div className="events-list" data-testid="events">
      <table className="grid">
        <thead><tr><th className="r">t (s)</th><th>event</th><th>kind</th></tr></thead>
        <tbody>
          {events.map((e, i) => (
            <tr key={i}>
              <td className="r">{num(e.t)}{e.until !== undefined ? `–${num(e.until)}` : ""}</td>
              <td style={{ color: EVENT_COLORS[e.kind] }}>{e.label}</td>
              <td className="muted">{e.kind}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {unmarkedRandomFailures > 0 && <div className="muted pad">{unmarkedRandomFailures} random failure source{unmarkedRandomFailures === 1 ? "" : "s"} (mtbf/mttr): their times are not in the result, so not marked.</div>}
    </div>
  );
}
