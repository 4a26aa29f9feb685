import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JwtIssuer } from '../../../mixins/auth/jwt-issuer';
import { SystemTokens } from '../../../mixins/auth/system-token';
import { PrincipalResolver, type SubjectRecord } from '../../../mixins/auth/principal-resolver';
import { hashSecret, newServiceAccountToken } from '../../../mixins/auth/service-account-token';

const SECRET = 's'.repeat(40);
const jwt = new JwtIssuer(SECRET, 600);
const ann: SubjectRecord = {
  id: 'u1',
  username: 'ann',
  roles: ['SALES'],
  unitId: null,
  disabled: false,
  tokenVersion: 2,
};
const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

function resolver(fetch: (kind: 'user' | 'service', id: string) => Promise<SubjectRecord | null>) {
  let calls = 0;
  const r = new PrincipalResolver({
    verifyJwt: (t) => jwt.verify(t),
    system: new SystemTokens(SECRET, 'core-1'),
    ttlMs: 4_000,
    fetch: (k, id) => {
      calls++;
      return fetch(k, id);
    },
  });
  return { r, calls: () => calls };
}

describe('PrincipalResolver', () => {
  it('resolves a current token from the directory once, then from memory', async () => {
    const { r, calls } = resolver(async () => ann);
    const token = jwt.issue(ann, 2).token;
    assert.deepEqual(await r.resolve(token, 'gw'), {
      id: 'u1',
      username: 'ann',
      roles: ['SALES'],
      unitId: null,
      kind: 'user',
    });
    await r.resolve(token, 'gw');
    assert.equal(calls(), 1);
    r.forget('u1');
    await r.resolve(token, 'gw');
    assert.equal(calls(), 2);
  });

  it('401 for a revoked, disabled or deleted user; 503 (never 401) when the directory cannot answer', async () => {
    const old = jwt.issue(ann, 1).token;
    await assert.rejects(resolver(async () => ann).r.resolve(old, 'gw'), code('TOKEN_REVOKED'));
    const token = jwt.issue(ann, 2).token;
    await assert.rejects(
      resolver(async () => ({ ...ann, disabled: true })).r.resolve(token, 'gw'),
      code('USER_DISABLED'),
    );
    await assert.rejects(resolver(async () => null).r.resolve(token, 'gw'), code('INVALID_TOKEN'));
    const down = resolver(() => Promise.reject(Object.assign(new Error('no directory'), { code: 503 })));
    await assert.rejects(
      down.r.resolve(token, 'gw'),
      (e: { kind?: string; code?: string }) => e.kind === 'UNAVAILABLE' && e.code === 'SERVICE_UNAVAILABLE',
    );
  });

  it('service account tokens: the right secret only', async () => {
    const { token, hash } = newServiceAccountToken('sa1');
    const rec = { ...ann, id: 'sa1', username: 'service:billing', tokenVersion: 0, tokenHash: hash };
    const { r } = resolver(async (kind) => (kind === 'service' ? rec : null));
    assert.equal((await r.resolve(token, 'x')).kind, 'service');
    await assert.rejects(r.resolve(`ftcsa.sa1.${'A'.repeat(43)}`, 'x'), code('INVALID_TOKEN'));
    assert.notEqual(hashSecret('a'), hashSecret('b'));
  });

  it('system tokens: only from the node named in them, only with the cluster secret, only until expiry', async () => {
    const { r } = resolver(async () => null);
    const core1 = new SystemTokens(SECRET, 'core-1').current();
    assert.equal((await r.resolve(core1, 'core-1')).kind, 'system');
    await assert.rejects(r.resolve(core1, 'intruder'), code('INVALID_TOKEN'));
    await assert.rejects(
      r.resolve(new SystemTokens('o'.repeat(40), 'core-1').current(), 'core-1'),
      code('INVALID_TOKEN'),
    );
    const stale = new SystemTokens(SECRET, 'core-1').current(Date.now() - 10 * 60_000);
    await assert.rejects(r.resolve(stale, 'core-1'), code('INVALID_TOKEN'));
  });
});
