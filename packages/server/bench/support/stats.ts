/** What an HTTP benchmark measures in one run, and the per-server summary its table prints. */

/** One measured run against one server. */
export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The upper median (the middle element of the sorted values); runs are few, so no averaging. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A server's runs as the table shows them: medians, all errors, and every run's requests/s. */
export function summarise(name: string, ms: Measured[]) {
  return {
    name,
    rps: median(ms.map((m) => m.rps)),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    errors: ms.reduce((n, m) => n + m.errors, 0),
    all: ms.map((m) => Math.round(m.rps)).join(', '),
  };
}

/** POSTs `body` with autocannon at 50 connections for `seconds`; the run and its request count. */
export async function loadWithAutocannon(
  url: string,
  headers: Record<string, string>,
  body: string,
  seconds: number,
): Promise<Measured & { requests: number }> {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({ url, method: 'POST', connections: 50, duration: seconds, headers, body });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    requests: result.requests.total,
  };
}
