import { EntitySchema } from 'typeorm';

export interface OrgUnitRow {
  id: string;
  name: string;
  parentId: string | null;
  path: string;
  createdAt: Date;
}
export interface RoleRow {
  code: string;
  name: string;
}
export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  unitId: string | null;
  disabled: boolean;
  tokenVersion: number;
  createdAt: Date;
  updatedAt: Date;
}
export interface UserRoleRow {
  userId: string;
  roleCode: string;
}

export const OrgUnitSchema = new EntitySchema<OrgUnitRow>({
  name: 'OrgUnit',
  tableName: 'org_units',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    name: { type: 'varchar', length: 100 },
    parentId: { name: 'parent_id', type: 'varchar', length: 64, nullable: true },
    path: { type: 'varchar', length: 760 },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
  },
});

export const RoleSchema = new EntitySchema<RoleRow>({
  name: 'Role',
  tableName: 'roles',
  columns: {
    code: { type: 'varchar', length: 64, primary: true },
    name: { type: 'varchar', length: 100 },
  },
});

export const UserSchema = new EntitySchema<UserRow>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    username: { type: 'varchar', length: 64, unique: true },
    displayName: { name: 'display_name', type: 'varchar', length: 100 },
    passwordHash: { name: 'password_hash', type: 'varchar', length: 255 },
    unitId: { name: 'unit_id', type: 'varchar', length: 64, nullable: true },
    disabled: { type: 'boolean', default: false },
    tokenVersion: { name: 'token_version', type: 'int', default: 0 },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
    updatedAt: { name: 'updated_at', type: 'datetime', precision: 3 },
  },
});

export const UserRoleSchema = new EntitySchema<UserRoleRow>({
  name: 'UserRole',
  tableName: 'user_roles',
  columns: {
    userId: { name: 'user_id', type: 'varchar', length: 64, primary: true },
    roleCode: { name: 'role_code', type: 'varchar', length: 64, primary: true },
  },
});

export interface ServiceAccountRow {
  id: string;
  name: string;
  /** JSON array of role codes. */
  roles: string;
  unitId: string | null;
  tokenHash: string;
  createdAt: Date;
  createdBy: string | null;
}

export const ServiceAccountSchema = new EntitySchema<ServiceAccountRow>({
  name: 'ServiceAccount',
  tableName: 'service_accounts',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    name: { type: 'varchar', length: 100 },
    roles: { type: 'text' },
    unitId: { name: 'unit_id', type: 'varchar', length: 64, nullable: true },
    tokenHash: { name: 'token_hash', type: 'varchar', length: 64 },
    createdAt: { name: 'created_at', type: 'datetime', precision: 3 },
    createdBy: { name: 'created_by', type: 'varchar', length: 64, nullable: true },
  },
});

export const DIRECTORY_ENTITIES = [
  OrgUnitSchema,
  RoleSchema,
  UserSchema,
  UserRoleSchema,
  ServiceAccountSchema,
];
