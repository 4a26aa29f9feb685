import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Context } from 'moleculer';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import type { StoredFile } from '../../domain/file-tasks/file-task';
import { DomainError } from '../../domain/shared/errors';
import { checkBizTypeCode } from '../../domain/files/upload-rules';
import { checkBizDomain, uploadName } from '../../domain/files/upload-fields';
import { ulidIds } from '../auth/ulid-ids';
import { storeUpload, uploadTooLarge } from './upload-pipeline';
import { uploadKey } from '../../domain/files/upload-fields';
import { resolveUploadRules } from './upload-rules';
import { FileErrors } from '../../domain/files/file.errors';

/**
 * POST /api/files on the gateway: the multipart body is parsed as it arrives (busboy) and the file
 * part streams straight into object storage from this node, with the client's TCP connection as
 * the only buffer. Forwarding the stream to a core node instead would cross NATS, where Moleculer
 * streams have no backpressure: a fast client would pile the file up in memory. Only the small
 * record write (fileTasks.recordUpload) travels.
 *
 * The fields (`bizType`, optional `bizDomain`, `name`) must come before the `file` part: the
 * biz type's limits are needed before the first byte is stored (curl -F and FormData keep order).
 */

/** Headers and boundaries of a multipart body on top of the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;
const FIELDS = new Set(['bizType', 'bizDomain', 'name']);

export const clientGone = FileErrors.uploadAborted;

export interface ReceivedUpload {
  id: string;
  bizType: string;
  bizDomain: string | null;
  name: string;
  file: StoredFile;
}

export interface UploadRouteDeps {
  storage: ObjectStorage;
  uploadMaxBytes: number;
}

/**
 * Reads the request into storage. Resolves once the file is stored and the whole body is read;
 * rejects with a DomainError (the object, if any was stored, is already deleted).
 */
export async function receiveUpload(
  ctx: Pick<Context, 'call'>,
  req: IncomingMessage,
  deps: UploadRouteDeps,
): Promise<ReceivedUpload> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw FileErrors.multipartRequired();
  }
  // A declared length over the limit is refused before a single byte is read.
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > deps.uploadMaxBytes + MULTIPART_OVERHEAD) {
    throw uploadTooLarge(deps.uploadMaxBytes);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: {
        files: 1,
        // Forms may carry a few fields of their own (ignored); many parts are an abuse.
        fields: 10,
        fieldSize: 1024,
        fieldNameSize: 64,
        parts: 16,
        headerPairs: 20,
      },
    });
  } catch (e) {
    throw FileErrors.invalidMultipart((e as Error).message);
  }

  return new Promise<ReceivedUpload>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let settled = false;
    let fileStream: Readable | null = null;
    let work: Promise<ReceivedUpload> | null = null;
    let stored: StoredFile | null = null;

    const finish = (err: unknown, result?: ReceivedUpload) => {
      if (settled) return;
      settled = true;
      req.off('close', onClose);
      if (err === null && result) return resolve(result);
      // Stop parsing; the rest of the body is read and dropped so the answer reaches the client.
      req.unpipe(parser);
      fileStream?.destroy();
      req.resume();
      const cleanup = stored ? deps.storage.delete(stored.storageKey).catch(() => undefined) : null;
      void Promise.resolve(cleanup).then(() => reject(err instanceof Error ? err : new Error(String(err))));
    };
    const onClose = () => {
      if (!req.complete) {
        fileStream?.destroy(clientGone());
        finish(clientGone());
      }
    };
    req.on('close', onClose);

    parser.on('field', (name, value, info) => {
      // busboy reads a part without a filename as a field, even when it is the file.
      if (name === 'file' && !work) {
        return finish(
          FileErrors.fileNameRequired('the file part needs a filename, or send a name field first'),
        );
      }
      if (!FIELDS.has(name) || work) return; // a field after the file comes too late to count
      if (info.valueTruncated || info.nameTruncated) {
        return finish(FileErrors.fieldTooLong(name));
      }
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || work) {
        stream.resume(); // not ours: skip its bytes
        return;
      }
      fileStream = stream;
      work = (async () => {
        const bizType = checkBizTypeCode(fields.bizType);
        const fileName = uploadName(fields.name, info.filename);
        const bizDomain = checkBizDomain(fields.bizDomain);
        const rules = await resolveUploadRules(ctx, bizType, deps.uploadMaxBytes);
        const id = ulidIds.next();
        const file = await storeUpload(deps.storage, stream, {
          key: uploadKey(id, new Date()),
          rules,
          declaredType: info.mimeType,
        });
        if (settled) {
          // The request failed (client gone) while the last bytes were being committed.
          await deps.storage.delete(file.storageKey).catch(() => undefined);
          throw clientGone();
        }
        stored = file;
        return { id, bizType: rules.bizType, bizDomain, name: fileName, file };
      })();
      work.catch((e: unknown) => finish(e));
    });
    parser.on('filesLimit', () => finish(FileErrors.tooManyFiles()));
    parser.on('partsLimit', () => finish(FileErrors.tooManyParts('parts')));
    parser.on('fieldsLimit', () => finish(FileErrors.tooManyParts('fields')));
    parser.on('error', (e: Error) =>
      finish(e instanceof DomainError ? e : FileErrors.invalidMultipart(e.message)),
    );
    parser.on('close', () => {
      if (!work) {
        return finish(
          fields.bizType === undefined
            ? FileErrors.bizTypeRequired('send the bizType field and a file part named "file"')
            : FileErrors.fileRequired(),
        );
      }
      work.then(
        (r) => finish(null, r),
        (e: unknown) => finish(e),
      );
    });
    req.pipe(parser);
  });
}
