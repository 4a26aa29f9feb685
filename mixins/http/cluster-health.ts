/** The part of Moleculer's registry health reads (its typings omit these lists' shapes). */
type HealthRegistry = {
  getNodeList(o: { onlyAvailable: boolean; withServices: boolean }): unknown;
  getServiceList(o: {
    onlyLocal: boolean;
    onlyAvailable: boolean;
    skipInternal: boolean;
    withActions: boolean;
  }): unknown;
};

type NodeInfo = { id: string; available: boolean; hostname?: string };
type ServiceInfo = { name: string; nodeID: string; available: boolean };

/**
 * GET /api/health (API.md): the nodes and services this node sees, and the known services none
 * offers (`degraded`). Node ids and host names map the deployment, so only an administrator gets
 * them; others get counts.
 */
export function clusterHealth(
  moleculerRegistry: unknown,
  selfId: string,
  known: Iterable<string>,
  admin: boolean,
) {
  const registry = moleculerRegistry as HealthRegistry;
  const nodes = registry.getNodeList({ onlyAvailable: true, withServices: false }) as NodeInfo[];
  const byName = new Map<string, string[]>();
  const services = registry.getServiceList({
    onlyLocal: false,
    onlyAvailable: true,
    skipInternal: true,
    withActions: false,
  }) as ServiceInfo[];
  for (const s of services) byName.set(s.name, [...(byName.get(s.name) ?? []), s.nodeID]);
  const missing = [...known].filter((name) => !byName.has(name));
  const status = missing.length ? 'degraded' : 'ok';
  const sorted = [...byName].sort(([a], [b]) => a.localeCompare(b));
  if (!admin) {
    return {
      status,
      nodes: nodes.map((n) => ({ local: n.id === selfId })),
      services: sorted.map(([name, nodeIds]) => ({ name, instances: nodeIds.length })),
      missing,
    };
  }
  return {
    status,
    nodes: nodes.map((n) => ({ id: n.id, hostname: n.hostname ?? null, local: n.id === selfId })),
    services: sorted.map(([name, nodeIds]) => ({ name, nodes: nodeIds.sort() })),
    missing,
  };
}
