import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DownloadLinks } from '../../../mixins/files/download-link';
import { isDomainError } from '../../../domain/shared/errors';

const SECRET = 'download-link-test-secret-0123456789';
const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const EXPIRES = new Date(NOW + 5 * 60_000);
const links = new DownloadLinks(SECRET);
const mint = (taskId = 'task-1', userId = 'user-1', expiresAt = EXPIRES) =>
  links.mint({ taskId, userId, expiresAt });
const TOKEN = mint();
const [BODY, SIG] = TOKEN.split('.');
const OTHER = mint('task-2', 'user-2');

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
/** Signs like the real thing (same key derivation), to reach the checks behind the signature. */
function forge(payload: unknown, secret: string = SECRET): string {
  const key = crypto.createHmac('sha256', secret).update('file-task-center/download-link/v1').digest();
  const body = b64(payload);
  return `${body}.${crypto.createHmac('sha256', key).update(body).digest('base64url')}`;
}
const valid = payloadOf(TOKEN);

function rejects(token: unknown, code = 'DOWNLOAD_LINK_INVALID', taskId = 'task-1', now: number = NOW) {
  assert.throws(
    () => links.verify(token, { taskId, now }),
    (e: unknown) => isDomainError(e) && e.kind === 'FORBIDDEN' && e.code === code,
    `accepted ${typeof token === 'string' ? token.slice(0, 120) : typeof token}`,
  );
}

describe('download links: round trip', () => {
  it('verifies a fresh link and answers its user, id and expiry', () => {
    const v = links.verify(TOKEN, { taskId: 'task-1', now: NOW });
    assert.equal(v.userId, 'user-1');
    assert.equal(v.expiresAt.getTime(), EXPIRES.getTime());
    assert.match(v.linkId, /^[A-Za-z0-9_-]{16}$/);
    assert.deepEqual(links.verify(TOKEN, { taskId: 'task-1', now: new Date(NOW) }), v);
  });

  it('is URL-safe and differs on every mint', () => {
    assert.match(TOKEN, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.notEqual(mint(), mint());
  });

  it('is valid up to the last millisecond before expiry', () => {
    assert.equal(links.verify(TOKEN, { taskId: 'task-1', now: EXPIRES.getTime() - 1 }).userId, 'user-1');
  });

  it('carries any id, Unicode included', () => {
    const t = links.mint({ taskId: '01J/任务?x=1', userId: '用户 😀', expiresAt: EXPIRES });
    assert.equal(links.verify(t, { taskId: '01J/任务?x=1', now: NOW }).userId, '用户 😀');
  });

  it('verifies with another instance on the same secret (another node), Buffer or string', () => {
    assert.equal(
      new DownloadLinks(Buffer.from(SECRET)).verify(TOKEN, { taskId: 'task-1', now: NOW }).userId,
      'user-1',
    );
  });

  it('rounds the expiry down to a whole second and offers a whole-second helper', () => {
    const t = mint('task-1', 'u', new Date(NOW + 1999));
    assert.equal(links.verify(t, { taskId: 'task-1', now: NOW }).expiresAt.getTime(), NOW + 1000);
    rejects(t, 'DOWNLOAD_LINK_EXPIRED', 'task-1', NOW + 1000);
    assert.equal(DownloadLinks.expiresIn(300, NOW + 999).getTime(), NOW + 300_000);
  });

  it('refuses bad mint input and a weak secret (programming errors)', () => {
    assert.throws(() => mint('', 'u'), TypeError);
    assert.throws(() => mint('t', ''), TypeError);
    assert.throws(() => mint('t'.repeat(300), 'u'), TypeError);
    assert.throws(() => mint('t', 'u', new Date(NaN)), TypeError);
    assert.throws(() => new DownloadLinks('short'), TypeError);
    assert.throws(() => new DownloadLinks(''), TypeError);
  });

  it('builds the URL in one place', () => {
    assert.equal(
      links.url('https://ftc.example.com/', 'task-1', TOKEN),
      `https://ftc.example.com/api/files/task-1/content?token=${TOKEN}`,
    );
    assert.equal(links.url('http://h:3000', 'a/b', 'x.y'), 'http://h:3000/api/files/a%2Fb/content?token=x.y');
  });
});

describe('download links: rejected', () => {
  it('1-7: non-strings and empty input', () => {
    for (const t of [undefined, null, 42, {}, [TOKEN], Buffer.from(TOKEN), '']) rejects(t);
  });

  it('8: no separator (payload only)', () => rejects(BODY));
  it('9: signature dropped', () => rejects(`${BODY}.`));
  it('10: payload dropped', () => rejects(`.${SIG}`));
  it('11: a lone dot', () => rejects('.'));
  it('12: an extra segment', () => rejects(`${TOKEN}.${SIG}`));
  it('13: a trailing dot', () => rejects(`${TOKEN}.`));
  it('14: a JWT-style alg=none header in front', () => rejects(`${b64({ alg: 'none' })}.${BODY}.`));
  it('15: truncated signature by one character', () => rejects(TOKEN.slice(0, -1)));
  it('16: truncated signature by half', () => rejects(`${BODY}.${SIG.slice(0, 21)}`));
  it('17: truncated payload', () => rejects(`${BODY.slice(0, -1)}.${SIG}`));
  it('18: truncated payload head', () => rejects(`${BODY.slice(1)}.${SIG}`));
  it('19: padded base64', () => rejects(`${TOKEN}=`));
  it('20: standard-base64 characters', () => {
    rejects(`${TOKEN.slice(0, 5)}+${TOKEN.slice(6)}`);
    rejects(`${TOKEN.slice(0, -1)}/`);
  });

  it('21: a non-canonical spelling of the right signature bytes', () => {
    // The 43rd character carries 4 signature bits and 2 ignored bits: flip an ignored one.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet[alphabet.indexOf(SIG[42]) ^ 1];
    const sig = SIG.slice(0, 42) + last;
    assert.deepEqual(Buffer.from(sig, 'base64url'), Buffer.from(SIG, 'base64url'));
    rejects(`${BODY}.${sig}`);
  });

  it('22: every single-character change anywhere in the token', () => {
    for (let i = 0; i < TOKEN.length; i++) {
      if (TOKEN[i] === '.') continue;
      for (const c of ['A', 'f', '0', '_']) {
        if (c !== TOKEN[i]) rejects(TOKEN.slice(0, i) + c + TOKEN.slice(i + 1));
      }
    }
  });

  it('23: every single-bit flip of the signature bytes', () => {
    const sig = Buffer.from(SIG, 'base64url');
    for (let bit = 0; bit < sig.length * 8; bit++) {
      const s = Buffer.from(sig);
      s[bit >> 3] ^= 1 << (bit & 7);
      rejects(`${BODY}.${s.toString('base64url')}`);
    }
  });

  it("24: another valid link's payload under this signature, and vice versa", () => {
    const [otherBody, otherSig] = OTHER.split('.');
    rejects(`${otherBody}.${SIG}`, 'DOWNLOAD_LINK_INVALID', 'task-2');
    rejects(`${BODY}.${otherSig}`);
  });

  it('25: signed with another secret', () => {
    const foreign = new DownloadLinks('another-secret-of-enough-length-42');
    rejects(foreign.mint({ taskId: 'task-1', userId: 'user-1', expiresAt: EXPIRES }));
    rejects(forge(valid, 'another-secret-of-enough-length-42'));
  });

  it('26: signed with the raw secret instead of the derived link key', () => {
    rejects(`${BODY}.${crypto.createHmac('sha256', SECRET).update(BODY).digest('base64url')}`);
  });

  it('27: a JWT signed with the same secret (no cross-protocol reuse)', () => {
    const token = jwt.sign({ t: 'task-1', u: 'user-1', exp: EXPIRES.getTime() / 1000 }, SECRET);
    rejects(token);
    rejects(token.split('.').slice(1).join('.'));
  });

  it('28-30: tampered exp, taskId or userId under the original signature', () => {
    rejects(`${b64({ ...valid, exp: Number(valid.exp) + 3600 })}.${SIG}`);
    rejects(`${b64({ ...valid, t: 'task-2' })}.${SIG}`, 'DOWNLOAD_LINK_INVALID', 'task-2');
    rejects(`${b64({ ...valid, u: 'admin' })}.${SIG}`);
  });

  it('31: the same payload re-encoded with reordered keys', () => {
    const { n, ...rest } = valid;
    rejects(`${b64({ n, ...rest })}.${SIG}`);
  });

  it('32-34: cross-task, whatever the resemblance', () => {
    for (const other of ['task-2', 'TASK-1', 'task-1 ', ' task-1', 'task-10', 'task-', ''])
      rejects(TOKEN, undefined, other);
  });

  it('35: cross-task wins over expiry (no hint that the link exists)', () => {
    rejects(TOKEN, 'DOWNLOAD_LINK_INVALID', 'task-2', EXPIRES.getTime() + 60_000);
  });

  it('36-38: expired exactly at, just after and long after the expiry', () => {
    for (const now of [EXPIRES.getTime(), EXPIRES.getTime() + 1, EXPIRES.getTime() + 86_400_000 * 365]) {
      rejects(TOKEN, 'DOWNLOAD_LINK_EXPIRED', 'task-1', now);
    }
    rejects(forge({ ...valid, exp: 0 }), 'DOWNLOAD_LINK_EXPIRED');
  });

  it('39-40: a validly signed link of another version or algorithm', () => {
    rejects(forge({ ...valid, v: 2 }));
    rejects(forge({ ...valid, v: '1' }));
    for (const alg of ['none', 'HS512', 'hs256', '']) rejects(forge({ ...valid, alg }));
  });

  it('41-48: a validly signed but malformed payload', () => {
    const { n: _n, ...noNonce } = valid;
    for (const payload of [
      noNonce,
      { ...valid, admin: true },
      { ...valid, exp: String(valid.exp) },
      { ...valid, exp: Number(valid.exp) + 0.5 },
      { ...valid, exp: 1e300 },
      { ...valid, t: 7 },
      { ...valid, u: '' },
      { ...valid, n: null },
      [valid],
      null,
      'task-1',
    ]) {
      rejects(forge(payload));
    }
    rejects(forge('{"v":1,')); // not JSON
    const key = crypto.createHmac('sha256', SECRET).update('file-task-center/download-link/v1').digest();
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64url');
    rejects(`${binary}.${crypto.createHmac('sha256', key).update(binary).digest('base64url')}`);
  });

  it('49-51: percent-encoded, whitespace-wrapped and look-alike tokens', () => {
    rejects(TOKEN.replace('.', '%2E'));
    rejects(encodeURIComponent(`${TOKEN}=`));
    rejects(`${TOKEN}%00`);
    rejects(` ${TOKEN}`);
    rejects(`${TOKEN}\n`);
    rejects(TOKEN.replace('.', '\u2024')); // ONE DOT LEADER
    rejects(`\u0391${TOKEN.slice(1)}`); // GREEK CAPITAL ALPHA
  });

  it('52-53: huge input, random or shaped like a token', () => {
    rejects('a'.repeat(1_000_000));
    rejects(`${'A'.repeat(5000)}.${SIG}`);
    rejects(`${BODY}.${'A'.repeat(100_000)}`);
  });
});
