import { apiErrorFrom, NetworkError } from './errors';
import { getToken, signalUnauthorized } from './session';
import type { FileTask } from './types';

/**
 * `POST /api/files` with XMLHttpRequest (fetch cannot report upload progress). The fields go
 * before the file part: the gateway reads them first and refuses early (413, 415) without
 * storing anything.
 */
export function uploadFile(
  file: File,
  fields: { bizType: string; name?: string },
  onProgress: (percent: number) => void,
): { promise: Promise<FileTask>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<FileTask>((resolve, reject) => {
    const body = new FormData();
    body.append('bizType', fields.bizType);
    if (fields.name) body.append('name', fields.name);
    body.append('file', file, file.name);
    xhr.open('POST', '/api/files');
    const token = getToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.floor((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(JSON.parse(xhr.responseText) as FileTask);
        return;
      }
      const err = apiErrorFrom(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after'));
      if (err.unauthorized) signalUnauthorized();
      reject(err);
    };
    // A refused upload may be answered before the body is sent and the connection closed: the
    // browser can then report an error without the answer.
    xhr.onerror = () => reject(new NetworkError('upload failed'));
    xhr.onabort = () => reject(new NetworkError('upload aborted'));
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}
