import type { Principal } from '../shared/principal';
import type { Grant } from './grant';
import type { Subject, UnitPaths } from './policy';

/** What the policy needs to judge a caller. */
export interface PermissionInputs {
  subject: Subject;
  grants: Grant[];
  paths: UnitPaths;
  /** Every unit's path by id (what `paths` looks up), e.g. to list a subtree. */
  unitPaths: Record<string, string>;
}

/** The caller's unit path and every grant, from caches cleaned on every node when they change. */
export interface PermissionReader {
  inputs(user: Principal): Promise<PermissionInputs>;
}
