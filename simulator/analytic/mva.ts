// Exact Mean Value Analysis of a closed single-class network (Reiser and Lavenberg 1980; Lazowska
// et al., "Quantitative System Performance", 1984, ch. 7): R_k(n) = D_k (1 + Q_k(n-1)),
// X(n) = n / (Z + Σ R_k(n)), Q_k(n) = X(n) R_k(n). A station with c servers is replaced by
// Seidmann's pair: a queueing station with demand D/c and a delay of D (c-1)/c (Seidmann, Schweitzer
// and Shalev-Oren 1987, "Computerized closed queueing network models of flexible manufacturing
// systems"); exact for c = 1, within a few percent of multi-server MVA elsewhere.

export interface MvaStation {
  /** Service demand per customer cycle, seconds. */
  readonly demand: number;
  readonly servers: number;
}

export interface MvaSolution {
  readonly throughput: number;
  /** Residence time per cycle at each station (queueing and service, all visits), seconds. */
  readonly residence: number[];
  readonly queue: number[];
}

/** O(N K): a million users and a few dozen stations take well under a second. */
export function mva(stations: ReadonlyArray<MvaStation>, users: number, delay: number): MvaSolution {
  const K = stations.length;
  const q = new Float64Array(K);
  const r = new Float64Array(K);
  const dq = stations.map((s) => s.demand / s.servers);
  const dd = stations.map((s) => (s.demand * (s.servers - 1)) / s.servers);
  let X = 0;
  for (let n = 1; n <= users; n++) {
    let total = delay;
    for (let k = 0; k < K; k++) { r[k] = dq[k] * (1 + q[k]); total += r[k] + dd[k]; }
    X = total > 0 ? n / total : Infinity;
    for (let k = 0; k < K; k++) q[k] = X * r[k];
  }
  return { throughput: X, residence: stations.map((_, k) => r[k] + dd[k]), queue: stations.map((_, k) => q[k] + X * dd[k]) };
}
