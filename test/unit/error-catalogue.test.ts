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
    const files = new Set(catalogues().map((c) => c.file));
    assert.ok(files.size >= 14, `only ${[...files].join(', ')}`);
  });

  it('builds no error from a literal code outside a catalogue', () => {
    // A constructor of domain/shared/errors.ts (or DomainError) called with a code literal: that
    // code belongs in its context's *.errors.ts, where the table below is checked against it.
    const literal =
      /\b(?:validationError|conflict|notFound|forbidden|unauthorized|tooLarge|unavailable|unsupportedType|rateLimited)\(\s*'[A-Z_]+'|new DomainError\(\s*'[A-Z_]+',\s*'[A-Z_]+'/g;
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && !rel.endsWith('.errors.ts')) {
          const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
          for (const m of text.matchAll(literal)) found.push(`${rel}: ${m[0].replace(/\s+/g, ' ')}`);
        }
      }
    };
    for (const dir of ['domain', 'mixins', 'services']) walk(dir);
    assert.deepEqual(found, []);
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
