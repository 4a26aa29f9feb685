import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isDomainError } from '../../domain/shared/errors';

const ROOT = path.resolve(__dirname, '../..');

/** Every `domain/<context>/*.errors.ts` catalogue: an object of named error constructors. */
function catalogues(): { file: string; name: string; make: (...a: string[]) => unknown }[] {
  const found: { file: string; name: string; make: (...a: string[]) => unknown }[] = [];
  for (const context of fs.readdirSync(path.join(ROOT, 'domain'))) {
    const dir = path.join(ROOT, 'domain', context);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.errors.ts'))) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(dir, f)) as Record<string, Record<string, (...a: string[]) => unknown>>;
      for (const catalogue of Object.values(mod))
        for (const [name, make] of Object.entries(catalogue))
          found.push({ file: `${context}/${f}`, name, make });
    }
  }
  return found;
}

describe('error catalogues', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
  const model = doc.slice(
    doc.indexOf('## Error model'),
    doc.indexOf('\n## ', doc.indexOf('## Error model') + 1),
  );

  it('finds the catalogues', () => {
    assert.ok(catalogues().length >= 8);
  });

  it("documents every catalogue code in docs/architecture.md's error table", () => {
    const missing: string[] = [];
    for (const { file, name, make } of catalogues()) {
      const e = make(...Array.from({ length: make.length }, () => 'x'));
      assert.ok(isDomainError(e), `${file} ${name} makes a DomainError`);
      if (!model.includes(`\`${e.code}\``)) missing.push(`${e.code} (${file} ${name})`);
    }
    assert.deepEqual(missing, [], 'codes missing from the "Error model" section');
  });
});
