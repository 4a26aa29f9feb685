import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, NetworkError, apiErrorFrom, describeError } from './errors';

describe('console: API errors', () => {
  it('reads the error envelope into a typed error', () => {
    const e = apiErrorFrom(
      400,
      JSON.stringify({
        error: { code: 'VALIDATION_ERROR', message: 'format must be xlsx or csv', data: { field: 'format' } },
      }),
    );
    assert.ok(e instanceof ApiError);
    assert.equal(e.status, 400);
    assert.equal(e.code, 'VALIDATION_ERROR');
    assert.equal(e.message, 'format must be xlsx or csv');
    assert.equal(e.field, 'format');
  });

  it('keeps the status of an answer that is not the envelope, and reads Retry-After', () => {
    const e = apiErrorFrom(502, '<html>bad gateway</html>');
    assert.equal(e.code, 'HTTP_502');
    assert.equal(apiErrorFrom(429, '{"error":{"code":"RATE_LIMITED","message":"slow"}}', '7').retryAfter, 7);
  });

  it('maps statuses to what a person is told', () => {
    const of = (status: number, code = 'X') => describeError(new ApiError(status, code, 'server words'));
    assert.deepEqual(of(401), { key: 'error.unauthorized' });
    assert.deepEqual(of(403), { key: 'error.forbidden' });
    assert.deepEqual(of(404), { key: 'error.notFound' });
    assert.deepEqual(of(409), { key: 'error.conflict' });
    assert.deepEqual(of(413), { key: 'error.tooLarge', values: { detail: 'server words' } });
    assert.deepEqual(of(415), { key: 'error.unsupportedType', values: { detail: 'server words' } });
    assert.deepEqual(of(400), { key: 'error.invalid', values: { detail: 'server words' } });
    assert.deepEqual(of(503), { key: 'error.unavailable' });
    assert.deepEqual(of(500), { key: 'error.internal' });
    assert.deepEqual(describeError(new NetworkError('refused')), { key: 'error.network' });
  });

  it('tells why a built-in job cannot be deleted (409 BUILT_IN_JOB), not just "conflict"', () => {
    const e = apiErrorFrom(
      409,
      JSON.stringify({
        error: { code: 'BUILT_IN_JOB', message: 'expiry is a built-in job', data: { name: 'expiry' } },
      }),
    );
    assert.deepEqual(describeError(e), { key: 'error.builtInJob', values: { name: 'expiry' } });
  });
});
