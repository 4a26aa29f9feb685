import type { ObjectStorage } from '../../domain/ports/object-storage.port';
import type { AppConfig } from '../config/app-config';
import { createObjectStorage } from '../storage/storage.factory';
import { adapterMixin, type Adapter } from './adapter.mixin';

export type StorageAdapter = Adapter<ObjectStorage>;

/** Object storage (OSS or the local disk), started in started() and stopped in stopped(). */
export function storageMixin(config: AppConfig): StorageAdapter {
  return adapterMixin(
    'object storage',
    async () => {
      const storage = createObjectStorage(config);
      await storage.start();
      return storage;
    },
    (storage) => storage.stop(),
  );
}
