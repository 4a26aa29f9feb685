import path from 'node:path';
import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import type { AppConfig } from '../config/app-config';
import { LocalDiskStorage } from './local-disk.storage';
import { OssStorage } from './oss.storage';

/** OSS when OSS_BUCKET is configured, otherwise the embedded local disk under DATA_DIR/objects. */
export function createObjectStorage(config: AppConfig): ObjectStorage {
  if (config.oss) return new OssStorage(config.oss);
  return new LocalDiskStorage(path.join(config.dataDir, 'objects'));
}
