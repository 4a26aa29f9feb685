import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Errors } from 'moleculer';
import { acceptedRequestId, httpError } from '../../../mixins/http/http-errors';
import { toMoleculerError } from '../../../mixins/errors/error-mapper';
import { conflict, notFound, tooLarge, unavailable, validationError } from '../../../domain/shared/errors';

describe('error mapping', () => {
  it('maps domain errors to their HTTP status and stable code', () => {
    const cases: [unknown, number, string][] = [
      [validationError('BAD_FILTER', 'x'), 400, 'BAD_FILTER'],
      [notFound('TASK_NOT_FOUND', 'x'), 404, 'TASK_NOT_FOUND'],
      [conflict('ILLEGAL_TRANSITION', 'x'), 409, 'ILLEGAL_TRANSITION'],
      [tooLarge('FILE_TOO_LARGE', 'x'), 413, 'FILE_TOO_LARGE'],
      [unavailable('STORAGE_UNAVAILABLE', 'x'), 503, 'STORAGE_UNAVAILABLE'],
    ];
    for (const [err, status, code] of cases) {
      const h = httpError(toMoleculerError(err));
      assert.equal(h.status, status);
      assert.equal(h.code, code);
    }
    assert.equal(toMoleculerError(unavailable('X', 'y')).retryable, true);
    assert.equal(toMoleculerError(validationError('X', 'y')).retryable, false);
  });

  it('never turns bad input into a 500, and never leaks an internal message', () => {
    assert.equal(httpError(new Errors.ValidationError('bad', 'VALIDATION_ERROR', [])).status, 400);
    assert.equal(httpError({ type: 'entity.parse.failed', status: 400 }).status, 400);
    assert.equal(httpError({ type: 'entity.too.large', status: 413 }).status, 413);
    const internal = httpError(toMoleculerError(new Error('SELECT * FROM secret failed')));
    assert.deepEqual(
      [internal.status, internal.code, internal.message],
      [500, 'INTERNAL_ERROR', 'internal error'],
    );
    assert.equal(httpError(new Errors.ServiceNotFoundError({ action: 'x.y' })).status, 503);
    assert.equal(httpError(new Errors.RequestTimeoutError({ action: 'x.y', nodeID: 'n' })).status, 503);
    assert.equal(httpError(toMoleculerError({ code: 'ECONNREFUSED' })).status, 503);
  });

  it('accepts only plain request ids', () => {
    assert.equal(acceptedRequestId('abc-123'), 'abc-123');
    assert.equal(acceptedRequestId('bad id\nwith newline'), undefined);
    assert.equal(acceptedRequestId('x'.repeat(200)), undefined);
    assert.equal(acceptedRequestId(undefined), undefined);
  });
});
