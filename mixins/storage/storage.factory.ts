import path from 'node:path';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import type { AppConfig } from '../config/app-config';
import { LocalDiskStorage } from './local-disk.storage';

/** OSS when OSS_BUCKET is configured, otherwise the embedded local disk under DATA_DIR/objects. */
export function createObjectStorage(config: AppConfig): ObjectStorage {
  if (config.oss) {
    // Loaded only when configured: ali-oss and its dependencies cost ~20 MB of resident memory,
    // which the embedded default and its export memory budget should not carry.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { OssStorage } = require('./oss.storage') as typeof import('./oss.storage');
    return new OssStorage(config.oss);
  }
  return new LocalDiskStorage(path.join(config.dataDir, 'objects'));
}
