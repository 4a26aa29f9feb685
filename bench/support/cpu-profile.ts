/**
 * A summary of a V8 CPU profile (`node --cpu-prof`): self time by function and by where the code
 * lives (a package under node_modules, a project file, node's internals, GC), as markdown tables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fmt, mdTable } from '../paper/common';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(__dirname, '../..');

/** `exceljs`, `moleculer-web`, `services/api.service.ts`, `(node) http`, `(gc)`, `(program)`. */
function placeOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return `(node) ${url.slice(5).split('/')[0]}`;
  const file = url.replace(/^file:\/\//, '');
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
}

export function summarizeProfile(file: string, top = 25): string {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const place = placeOf(url, functionName);
    const key = `${functionName || '(anonymous)'} · ${place}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  }
  const busy = total - (byPlace.get('(idle)') ?? 0);
  const rows = (m: Map<string, number>) =>
    [...m]
      .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle) '))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => [k.replace(/\|/g, '\\|'), fmt(us / 1000), `${((100 * us) / busy).toFixed(1)} %`]);
  return [
    `Profile ${path.basename(file)}: ${fmt(total / 1000)} ms sampled, ${fmt(busy / 1000)} ms busy (not idle).`,
    '',
    mdTable(['self time by place', 'ms', 'of busy'], rows(byPlace), ['l', 'r', 'r']),
    '',
    mdTable(['self time by function', 'ms', 'of busy'], rows(byFunction), ['l', 'r', 'r']),
  ].join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: tsx bench/support/cpu-profile.ts <file.cpuprofile> [top]');
  console.log(summarizeProfile(file, Number(top ?? 25)));
}
