import { EntitySchema } from 'typeorm';
import { bigintNumber } from '../column-types';

export interface FileTaskRow {
  id: string;
  kind: string;
  bizType: string;
  bizDomain: string | null;
  name: string;
  status: string;
  createdBy: string;
  unitId: string | null;
  unitPath: string | null;
  createdAt: Date;
  updatedAt: Date;
  storageKey: string | null;
  size: number | null;
  sha256: string | null;
  contentType: string | null;
  version: number;
}

export const FileTaskSchema = new EntitySchema<FileTaskRow>({
  name: 'FileTask',
  tableName: 'file_tasks',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    kind: { type: 'varchar', length: 8 },
    bizType: { name: 'biz_type', type: 'varchar', length: 64 },
    bizDomain: { name: 'biz_domain', type: 'varchar', length: 64, nullable: true },
    name: { type: 'varchar', length: 255 },
    status: { type: 'varchar', length: 16 },
    createdBy: { name: 'created_by', type: 'varchar', length: 64 },
    unitId: { name: 'unit_id', type: 'varchar', length: 64, nullable: true },
    unitPath: { name: 'unit_path', type: 'varchar', length: 600, nullable: true },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
    updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
    storageKey: { name: 'storage_key', type: 'varchar', length: 512, nullable: true },
    size: { type: 'bigint', nullable: true, transformer: bigintNumber },
    sha256: { type: 'varchar', length: 64, nullable: true },
    contentType: { name: 'content_type', type: 'varchar', length: 255, nullable: true },
    version: { type: 'int' },
  },
});

export const FILE_TASK_ENTITIES = [FileTaskSchema];
