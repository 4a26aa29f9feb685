import { EntitySchema } from 'typeorm';
import { jsonText } from '../column-types';

export interface GrantRow {
  id: string;
  bizType: string;
  type: string;
  subject: string;
  actions: string[];
  columns: string[];
  scopeUnitId: string | null;
  createdAt: Date;
  createdBy: string | null;
}

export const GrantSchema = new EntitySchema<GrantRow>({
  name: 'PermissionGrant',
  tableName: 'permission_grants',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    bizType: { name: 'biz_type', type: 'varchar', length: 64 },
    type: { type: 'varchar', length: 8 },
    subject: { type: 'varchar', length: 64 },
    actions: { type: 'varchar', length: 64, transformer: jsonText },
    columns: { type: 'text', transformer: jsonText },
    scopeUnitId: { name: 'scope_unit_id', type: 'varchar', length: 64, nullable: true },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
    createdBy: { name: 'created_by', type: 'varchar', length: 64, nullable: true },
  },
});

export const PERMISSION_ENTITIES = [GrantSchema];
