import fs from 'node:fs';
import path from 'node:path';
import { http, type TestNode } from './embedded-node';

/** Polls a task until it leaves PENDING/EXPORTING (or `until` says so), or throws after `ms`. */
export async function waitForTask(
  node: { baseUrl: string },
  token: string,
  id: string,
  ms = 60_000,
  until: (t: { status: string; export: { progress: { rows: number } } | null }) => boolean = (t) =>
    !['PENDING', 'EXPORTING'].includes(t.status),
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await http(node.baseUrl, 'GET', `/api/file-tasks/${id}`, { token });
    if (r.status === 200 && until(r.body)) return r.body;
    if (Date.now() > deadline) throw new Error(`task ${id} still ${JSON.stringify(r.body)} after ${ms} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The stored bytes of an export on the local-disk storage of an embedded test node. */
export function storedExport(node: TestNode, taskId: string): Buffer {
  const find = (dir: string): string | null => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && e.name !== '.meta') {
        const f = find(p);
        if (f) return f;
      } else if (e.isFile() && e.name.startsWith(`${taskId}.`)) return p;
    }
    return null;
  };
  const file = find(node.dataDir);
  if (!file) throw new Error(`no stored file for ${taskId}`);
  return fs.readFileSync(file);
}
