import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { ScryptHasher } from '../../../mixins/auth/scrypt-hasher';
import { JwtIssuer, resolveJwtSecret } from '../../../mixins/auth/jwt-issuer';
import { isDomainError } from '../../../domain/shared/errors';

const code = (c: string) => (e: unknown) => isDomainError(e) && e.code === c;

describe('ScryptHasher', () => {
  const hasher = new ScryptHasher({ N: 2 ** 10, r: 8, p: 1 });

  it('verifies the right password only, with a fresh salt per hash', async () => {
    const a = await hasher.hash('correct horse');
    const b = await hasher.hash('correct horse');
    assert.notEqual(a, b);
    assert.match(a, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await hasher.verify('correct horse', a), true);
    assert.equal(await hasher.verify('correct horsE', a), false);
    assert.equal(await hasher.verify('', a), false);
  });

  it('verifies hashes made with other parameters and rejects garbage', async () => {
    const stronger = await new ScryptHasher({ N: 2 ** 11, r: 8, p: 1 }).hash('pw');
    assert.equal(await hasher.verify('pw', stronger), true);
    for (const bad of ['', 'plain', 'bcrypt$x$y', 'scrypt$1024$8$1$$'])
      assert.equal(await hasher.verify('pw', bad), false);
  });

  it('uses a slow default cost', async () => {
    const t = Date.now();
    await new ScryptHasher().hash('pw');
    assert.ok(Date.now() - t >= 10, 'the default cost must not be trivially fast');
  });
});

describe('JwtIssuer', () => {
  const secret = 'k'.repeat(40);
  const issuer = new JwtIssuer(secret, 60);
  const principal = { id: 'u1', username: 'ann', roles: ['SALES'], unitId: 'u-east' };
  /** The principal part of a verified token (it also carries tokenVersion and expiresAtMs). */
  const who = ({ id, username, roles, unitId }: ReturnType<JwtIssuer['verify']>) => ({
    id,
    username,
    roles,
    unitId,
  });

  it('round-trips the principal through HS256 claims sub, roles, unit', () => {
    const { token, expiresAt } = issuer.issue(principal);
    assert.deepEqual(who(issuer.verify(token)), principal);
    const claims = jwt.decode(token, { complete: true })!;
    assert.equal(claims.header.alg, 'HS256');
    assert.deepEqual(
      [(claims.payload as jwt.JwtPayload).sub, (claims.payload as jwt.JwtPayload).unit],
      ['u1', 'u-east'],
    );
    assert.ok(Math.abs(expiresAt.getTime() - Date.now() - 60_000) < 2000);
    // The token version it was issued under travels as `ver` (a token without one reads as 0).
    assert.equal(issuer.verify(issuer.issue(principal, 3).token).tokenVersion, 3);
    assert.equal(issuer.verify(token).tokenVersion, 0);
  });

  it('rejects tampered, foreign, expired and malformed tokens', () => {
    const { token } = issuer.issue(principal);
    const [h, p, s] = token.split('.');
    const tamperedPayload = Buffer.from(
      JSON.stringify({ ...(jwt.decode(token) as object), roles: ['ADMIN'] }),
    ).toString('base64url');
    assert.throws(() => issuer.verify(`${h}.${tamperedPayload}.${s}`), code('INVALID_TOKEN'));
    assert.throws(() => issuer.verify(`${h}.${p}.${s}x`), code('INVALID_TOKEN'));
    assert.throws(() => new JwtIssuer('z'.repeat(40), 60).verify(token), code('INVALID_TOKEN'));
    const expired = jwt.sign({ roles: [], exp: Math.floor(Date.now() / 1000) - 5 }, secret, {
      subject: 'u1',
      issuer: 'file-task-center',
    });
    assert.throws(() => issuer.verify(expired), code('TOKEN_EXPIRED'));
    const otherIssuer = jwt.sign({ roles: [] }, secret, { subject: 'u1', issuer: 'someone-else' });
    assert.throws(() => issuer.verify(otherIssuer), code('INVALID_TOKEN'));
    const noRoles = jwt.sign({}, secret, { subject: 'u1', issuer: 'file-task-center' });
    assert.throws(() => issuer.verify(noRoles), code('INVALID_TOKEN'));
    assert.throws(() => issuer.verify('not-a-jwt'), code('INVALID_TOKEN'));
  });

  it('answers a token verified before from memory only until its expiry', (t) => {
    const { token } = issuer.issue(principal);
    const first = issuer.verify(token);
    first.roles.push('ADMIN'); // a caller's change to its copy must not reach the next one
    assert.deepEqual(who(issuer.verify(token)), principal);
    const exp = (jwt.decode(token) as jwt.JwtPayload).exp!;
    t.mock.timers.enable({ apis: ['Date'], now: exp * 1000 });
    assert.throws(() => issuer.verify(token), code('TOKEN_EXPIRED'));
  });

  it('keeps the key bytes of the configured secret: tokens interoperate with a plain-string HS256 signer', () => {
    const foreign = jwt.sign({ roles: ['SALES'], unit: 'u-east', name: 'ann' }, secret, {
      subject: 'u1',
      issuer: 'file-task-center',
    });
    assert.deepEqual(who(issuer.verify(foreign)), principal);
    const { token } = issuer.issue(principal);
    assert.equal((jwt.verify(token, secret) as jwt.JwtPayload).sub, 'u1');
    // A non-ASCII secret keeps its UTF-8 bytes, as jsonwebtoken does with a string.
    const utf8 = 'ключ-'.repeat(8);
    assert.equal(
      (jwt.verify(new JwtIssuer(utf8, 60).issue(principal).token, utf8) as jwt.JwtPayload).sub,
      'u1',
    );
  });
});

describe('resolveJwtSecret', () => {
  it('prefers JWT_SECRET, else generates one secret once and keeps it owner-readable', () => {
    assert.equal(resolveJwtSecret('configured', '/nonexistent'), 'configured');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftc-secret-'));
    const first = resolveJwtSecret(null, dir);
    assert.ok(first.length >= 48);
    assert.equal(resolveJwtSecret(null, dir), first);
    assert.equal(fs.statSync(path.join(dir, 'jwt-secret')).mode & 0o777, 0o600);
    fs.rmSync(dir, { recursive: true });
  });
});
