import type { Context } from 'moleculer';
import type { Grant } from '../../domain/permissions/grant';
import type { UnitPaths } from '../../domain/permissions/policy';
import type { PermissionInputs, PermissionReader } from '../../domain/permissions/permission.ports';
import type { Principal } from '../../domain/shared/principal';

export type { PermissionInputs };

/** The PermissionReader port over the caller's context (its calls carry the request's meta). */
export const permissionReader = (ctx: Context): PermissionReader => ({
  inputs: (user) => permissionInputs(ctx, user),
});

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
