/** One autocannon run with every response time recorded (autocannon's own summary has no p95). */
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  /** Responses that took over 5 s. */
  over5s: number;
  max: number;
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

export async function runLoad(p: {
  url: string;
  connections: number;
  seconds?: number;
  amount?: number;
  token?: string;
  method?: 'GET' | 'POST';
  /** The path (and body) of each request. */
  next: () => { path: string; body?: string };
  /** Responses that count as success (default 2xx). */
  ok?: (status: number) => boolean;
}): Promise<LoadResult> {
  const times: number[] = [];
  let ok = 0;
  let bad = 0;
  const isOk = p.ok ?? ((s: number) => s >= 200 && s < 300);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (p.token) headers.authorization = `Bearer ${p.token}`;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(
      {
        url: p.url,
        connections: p.connections,
        ...(p.amount ? { amount: p.amount } : { duration: p.seconds ?? 10 }),
        timeout: 60,
        headers,
        requests: [
          {
            method: p.method ?? 'GET',
            setupRequest: (req) => {
              const n = p.next();
              return { ...req, path: n.path, ...(n.body ? { body: n.body } : {}) };
            },
          },
        ],
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    inst.on('response', (_client, status, _bytes, ms) => {
      times.push(ms);
      if (isOk(status)) ok++;
      else bad++;
    });
  });
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    requests: times.length,
    ok,
    errors: bad + result.errors + result.timeouts,
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
