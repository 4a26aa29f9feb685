/**
 * The gateway's readiness (API.md "Readiness"): it is ready when every service whose routes it
 * publishes is available and its routes are served (moleculer-web generates a service's aliases
 * only some time after the service appears, and drops them when it goes). Before it was ready
 * once it is "starting"; afterwards anything missing makes it "degraded".
 */
export type ReadinessStatus = 'ready' | 'starting' | 'degraded';

export interface Readiness {
  status: ReadinessStatus;
  /** Services not available, or available but whose routes are not served yet. */
  missing: string[];
}

export function readiness(
  needed: readonly string[],
  available: ReadonlySet<string>,
  routed: ReadonlySet<string>,
  wasReady: boolean,
): Readiness {
  const missing = needed.filter((s) => !available.has(s) || !routed.has(s));
  if (missing.length === 0) return { status: 'ready', missing };
  return { status: wasReady ? 'degraded' : 'starting', missing };
}

/** What the gateway needs to know of a moleculer-web alias: enough to recognise its requests later. */
export interface KnownAlias {
  method: string;
  fullPath: string;
  action?: string;
  match(url: string): unknown;
}

/**
 * Every route the gateway has served since it started, kept after its service went away: a request
 * for one of them while its service is missing is a 503 (try again), never a 404 (no such route).
 */
export class DeclaredRoutes {
  private readonly known = new Map<string, KnownAlias>();

  /** Remembers the aliases moleculer-web serves now; answers the services they route to. */
  remember(aliases: readonly KnownAlias[]): Set<string> {
    const services = new Set<string>();
    for (const a of aliases) {
      if (!a.action) continue;
      services.add(a.action.slice(0, a.action.indexOf('.')));
      this.known.set(`${a.method} ${a.fullPath}`, a);
    }
    return services;
  }

  get size(): number {
    return this.known.size;
  }

  has(method: string, path: string): boolean {
    for (const a of this.known.values()) {
      if ((a.method === '*' || a.method === method) && a.match(path)) return true;
    }
    return false;
  }

  /** The route table, one line per route, for the log. */
  table(): string {
    return [...this.known.values()]
      .map((a) => `${a.method.padStart(6)} ${a.fullPath} => ${a.action ?? '<handler>'}`)
      .sort((x, y) => x.slice(7).localeCompare(y.slice(7)))
      .join('\n');
  }
}
