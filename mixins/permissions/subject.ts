import type { Context } from 'moleculer';
import type { Grant } from '../../domain/permissions/grant';
import type { Subject, UnitPaths } from '../../domain/permissions/policy';
import type { Principal } from '../../domain/shared/principal';

export interface PermissionInputs {
  subject: Subject;
  grants: Grant[];
  paths: UnitPaths;
  /** Every unit's path by id (what `paths` looks up), e.g. to list a subtree. */
  unitPaths: Record<string, string>;
}

/**
 * What the policy needs to judge a caller: their unit path and every grant, both from cached
 * actions (directory.unitPaths, permissions.grants) that are cleaned on every node when they change.
 */
export async function permissionInputs(ctx: Context, user: Principal): Promise<PermissionInputs> {
  const [unitPaths, grants] = await Promise.all([
    ctx.call<Record<string, string>>('directory.unitPaths'),
    ctx.call<Grant[]>('permissions.grants'),
  ]);
  const paths: UnitPaths = (id) => unitPaths[id] ?? null;
  return {
    subject: { id: user.id, roles: user.roles, unitPath: user.unitId ? paths(user.unitId) : null },
    grants,
    paths,
    unitPaths,
  };
}
