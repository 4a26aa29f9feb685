/**
 * One autocannon run with every request accounted for (autocannon's own summary has no p95, drops
 * the requests still in flight when the run ends, and counts a timeout both as an error and as a
 * timeout).
 *
 * Every request a connection sends is tracked until it ends in exactly one way:
 * - a response (2xx counts as ok, anything else as an error), at autocannon's response time;
 * - a timeout (the connection is reset after `timeoutSeconds`), at its age when it timed out;
 * - dropped: the connection failed or the server closed it with the request unanswered;
 * - unfinished: still in flight when the run ended — the slowest requests of an overloaded run.
 * All four are in the latency percentiles, the last three at their age when they ended (a lower
 * bound of what they would have taken), so a run cannot look faster by leaving its slowest
 * requests out; only responses count as completed requests.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  /** Requests sent: ok + non2xx + timeouts + dropped + unfinished. */
  requests: number;
  ok: number;
  non2xx: number;
  timeouts: number;
  dropped: number;
  unfinished: number;
  /** Every request that did not end in a 2xx (non2xx + timeouts + dropped + unfinished). */
  errors: number;
  seconds: number;
  /** 2xx responses per second of the run. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  /** Requests that took (or were still open after) over 5 s. */
  over5s: number;
  max: number;
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

/** What one connection has in flight (autocannon runs without pipelining here: at most one). */
interface Flight {
  sentAt: number | null;
  /** Requests the connection gave up on without an event yet; a following 'timeout' claims one. */
  orphans: number[];
}

export async function runLoad(p: {
  url: string;
  connections: number;
  seconds?: number;
  amount?: number;
  token?: string;
  method?: 'GET' | 'POST';
  /** Seconds before a request counts as timed out (default 60). */
  timeoutSeconds?: number;
  /** The path (and body) of each request; `token` overrides the run's token for that request. */
  next: () => { path: string; body?: string; token?: string };
  /** Responses that count as success (default 2xx). */
  ok?: (status: number) => boolean;
}): Promise<LoadResult> {
  const times: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let timeouts = 0;
  let dropped = 0;
  const flights: Flight[] = [];
  const isOk = p.ok ?? ((s: number) => s >= 200 && s < 300);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (p.token) headers.authorization = `Bearer ${p.token}`;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: p.url,
        connections: p.connections,
        ...(p.amount ? { amount: p.amount } : { duration: p.seconds ?? 10 }),
        timeout: p.timeoutSeconds ?? 60,
        headers,
        requests: [
          {
            method: p.method ?? 'GET',
            setupRequest: (req) => {
              const n = p.next();
              return {
                ...req,
                path: n.path,
                ...(n.body ? { body: n.body } : {}),
                ...(n.token ? { headers: { ...req.headers, authorization: `Bearer ${n.token}` } } : {}),
              };
            },
          },
        ],
        setupClient: (typed) => {
          // The typings name only headers/body/response; the client is an EventEmitter with more.
          const client = typed as unknown as import('node:events').EventEmitter;
          const f: Flight = { sentAt: null, orphans: [] };
          flights.push(f);
          const settleOrphans = () => {
            for (const at of f.orphans.splice(0)) {
              dropped++;
              times.push(performance.now() - at);
            }
          };
          client.on('request', () => {
            // A new request while one is open: the connection was reset (timeout, error or the
            // server closed it) and reconnected before saying why.
            if (f.sentAt !== null) f.orphans.push(f.sentAt);
            f.sentAt = performance.now();
          });
          client.on('response', (status: number, _bytes: number, ms: number) => {
            settleOrphans();
            f.sentAt = null;
            times.push(ms);
            if (isOk(status)) ok++;
            else non2xx++;
          });
          client.on('timeout', () => {
            const at = f.orphans.shift() ?? f.sentAt;
            if (at === f.sentAt) f.sentAt = null;
            if (at === null || at === undefined) return;
            timeouts++;
            times.push(performance.now() - at);
          });
          client.on('connError', settleOrphans);
        },
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
  });
  const ended = performance.now();
  let unfinished = 0;
  for (const f of flights) {
    for (const at of f.orphans) {
      dropped++;
      times.push(ended - at);
    }
    if (f.sentAt !== null) {
      unfinished++;
      times.push(ended - f.sentAt);
    }
  }
  const seconds = (ended - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    requests: times.length,
    ok,
    non2xx,
    timeouts,
    dropped,
    unfinished,
    errors: non2xx + timeouts + dropped + unfinished,
    seconds,
    rps: ok / (result.duration || seconds),
    p50: pct(times, 50),
    p95: pct(times, 95),
    p99: pct(times, 99),
    p999: pct(times, 99.9),
    over5s: times.filter((t) => t > 5000).length,
    max: times[times.length - 1] ?? NaN,
  };
}

/** The minimum and the median of some numbers (NaN for none). */
export function minMedian(xs: number[]): { min: number; median: number } {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return { min: NaN, median: NaN };
  const mid = s.length >> 1;
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2 };
}
