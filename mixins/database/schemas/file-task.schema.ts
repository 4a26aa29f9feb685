import { EntitySchema } from 'typeorm';
import { bigintNumber, jsonText } from '../column-types';

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
  exportFormat: string | null;
  exportSpec: object | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  rowCount: number | null;
  progressRows: number | null;
  progressTotal: number | null;
  failureReason: string | null;
  failureMessage: string | null;
  attempts: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  manifest: object | null;
  waitingReason: string | null;
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
    exportFormat: { name: 'export_format', type: 'varchar', length: 8, nullable: true },
    exportSpec: { name: 'export_spec', type: 'text', nullable: true, transformer: jsonText },
    idempotencyKey: { name: 'idempotency_key', type: 'varchar', length: 128, nullable: true },
    requestHash: { name: 'request_hash', type: 'varchar', length: 64, nullable: true },
    rowCount: { name: 'row_count', type: 'bigint', nullable: true, transformer: bigintNumber },
    progressRows: { name: 'progress_rows', type: 'bigint', nullable: true, transformer: bigintNumber },
    progressTotal: { name: 'progress_total', type: 'bigint', nullable: true, transformer: bigintNumber },
    failureReason: { name: 'failure_reason', type: 'varchar', length: 32, nullable: true },
    failureMessage: { name: 'failure_message', type: 'varchar', length: 500, nullable: true },
    attempts: { type: 'int', default: 0 },
    leaseOwner: { name: 'lease_owner', type: 'varchar', length: 128, nullable: true },
    leaseUntil: { name: 'lease_until', type: 'datetime', precision: 3, nullable: true },
    manifest: { type: 'text', nullable: true, transformer: jsonText },
    waitingReason: { name: 'waiting_reason', type: 'varchar', length: 32, nullable: true },
  },
});

export interface BizTypeRow {
  code: string;
  kind: string;
  definition: object;
  version: number;
  updatedAt: Date;
  updatedBy: string | null;
}

export const BizTypeSchema = new EntitySchema<BizTypeRow>({
  name: 'BizType',
  tableName: 'biz_types',
  columns: {
    code: { type: 'varchar', length: 64, primary: true },
    kind: { type: 'varchar', length: 8 },
    definition: { type: 'text', transformer: jsonText },
    version: { type: 'int' },
    updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
    updatedBy: { name: 'updated_by', type: 'varchar', length: 64, nullable: true },
  },
});

export const FILE_TASK_ENTITIES = [FileTaskSchema, BizTypeSchema];
