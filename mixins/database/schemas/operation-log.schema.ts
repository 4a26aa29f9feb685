import { EntitySchema } from 'typeorm';
import { bigintNumber, jsonText } from '../column-types';
import type { ChainedFields } from '../../../domain/operation-log/hash-chain';

export interface OutboxRow {
  id: string;
  type: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
  /** 1 once the relay logged it; a published event waits here for its publication step. */
  logged: number;
}

/** A stored entry: the fields the chain protects, its chain links and its search text. */
export interface OperationLogRow extends ChainedFields {
  prevHash: string;
  hash: string;
  /** Lower-cased action, target and detail text, for free-text search. */
  searchText: string;
}

export interface ChainHeadRow {
  id: number;
  seq: number;
  hash: string;
}

export const OutboxSchema = new EntitySchema<OutboxRow>({
  name: 'OutboxEvent',
  tableName: 'outbox_events',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    type: { type: 'varchar', length: 64 },
    occurredAt: { name: 'occurred_at', type: 'datetime', precision: 3 },
    payload: { type: 'text', transformer: jsonText },
    logged: { type: 'smallint', default: 0 },
  },
});

const logColumns = {
  seq: { type: 'bigint', primary: true, transformer: bigintNumber },
  id: { type: 'varchar', length: 64 },
  at: { type: 'datetime', precision: 3 },
  userId: { name: 'user_id', type: 'varchar', length: 64, nullable: true },
  action: { type: 'varchar', length: 64 },
  targetType: { name: 'target_type', type: 'varchar', length: 32 },
  targetId: { name: 'target_id', type: 'varchar', length: 64, nullable: true },
  bizType: { name: 'biz_type', type: 'varchar', length: 64, nullable: true },
  outcome: { type: 'varchar', length: 16 },
  detail: { type: 'text', transformer: jsonText },
  requestId: { name: 'request_id', type: 'varchar', length: 128, nullable: true },
  prevHash: { name: 'prev_hash', type: 'varchar', length: 64 },
  hash: { type: 'varchar', length: 64 },
  searchText: { name: 'search_text', type: 'text' },
} as const;

export const OperationLogSchema = new EntitySchema<OperationLogRow>({
  name: 'OperationLog',
  tableName: 'operation_logs',
  columns: logColumns,
});

/** Entries past retention, moved here by the archival job; same shape, the chain continues across. */
export const OperationLogColdSchema = new EntitySchema<OperationLogRow>({
  name: 'OperationLogCold',
  tableName: 'operation_logs_cold',
  columns: logColumns,
});

export const ChainHeadSchema = new EntitySchema<ChainHeadRow>({
  name: 'LogChainHead',
  tableName: 'log_chain_head',
  columns: {
    id: { type: 'int', primary: true },
    seq: { type: 'bigint', transformer: bigintNumber },
    hash: { type: 'varchar', length: 64 },
  },
});

export const OPERATION_LOG_ENTITIES = [
  OutboxSchema,
  OperationLogSchema,
  OperationLogColdSchema,
  ChainHeadSchema,
];
