import dns from 'node:dns/promises';
import net from 'node:net';

/** Addresses a webhook may not reach unless WEBHOOK_ALLOW_PRIVATE: this host, private networks, link-local, metadata services. */
const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv6');

export function isPrivateAddress(ip: string): boolean {
  const family = net.isIP(ip);
  if (family === 4) return BLOCKED.check(ip, 'ipv4');
  if (family !== 6) return true;
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64-free forms of an IPv4 address are judged as that address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  return BLOCKED.check(ip, 'ipv6');
}

export class TargetRefused extends Error {
  readonly code = 'WEBHOOK_TARGET_FORBIDDEN';
  constructor(message: string) {
    super(message);
  }
}

/**
 * The one address a delivery connects to: the host resolved once, every answer checked (a name
 * that also resolves to a private address is refused: the client could pick either), and the
 * connection then pinned to the checked address, so a second lookup cannot switch it (DNS
 * rebinding).
 */
export async function resolveTarget(
  host: string,
  allowPrivate: boolean,
): Promise<{ address: string; family: 4 | 6 }> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const literal = net.isIP(bare);
  const answers = literal
    ? [{ address: bare, family: literal }]
    : await dns.lookup(bare, { all: true, verbatim: true });
  if (answers.length === 0) throw new Error(`${host} does not resolve`);
  if (!allowPrivate) {
    const bad = answers.find((a) => isPrivateAddress(a.address));
    if (bad)
      throw new TargetRefused(`${host} resolves to ${bad.address}, a loopback/private/link-local address`);
  }
  return { address: answers[0].address, family: answers[0].family === 6 ? 6 : 4 };
}

/** The check at creation: literal addresses only (names are checked, and pinned, per attempt). */
export function refusedLiteral(url: string, allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  const host = new URL(url).hostname;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare.endsWith('.localhost')) return `${host} is this host`;
  return net.isIP(bare) && isPrivateAddress(bare) ? `${host} is a loopback/private/link-local address` : null;
}
