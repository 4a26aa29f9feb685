import { displayText } from '../shared/text';
import { DirectoryErrors } from './directory.errors';

/**
 * An organisation unit. `path` is the materialised chain of ids from the root, `/root/…/self/`,
 * so "this unit or anything below it" is one indexed prefix match: `path LIKE '/…/self/%'`.
 */
export class OrgUnit {
  private constructor(
    readonly id: string,
    readonly name: string,
    readonly parentId: string | null,
    readonly path: string,
    readonly createdAt: Date,
  ) {}

  static readonly MAX_DEPTH = 16;
  /**
   * The longest path: file tasks copy it into an index beside the biz type and id, which must
   * stay within InnoDB's 3072-byte key limit in utf8mb4.
   */
  static readonly MAX_PATH = 600;

  static create(input: { id: string; name: unknown; parent: OrgUnit | null; now: Date }): OrgUnit {
    const name = displayText('name', input.name, 100);
    const path = `${input.parent?.path ?? '/'}${input.id}/`;
    if (path.split('/').length - 2 > OrgUnit.MAX_DEPTH || path.length > OrgUnit.MAX_PATH) {
      throw DirectoryErrors.unitTooDeep(OrgUnit.MAX_DEPTH);
    }
    return new OrgUnit(input.id, name, input.parent?.id ?? null, path, input.now);
  }

  static restore(p: {
    id: string;
    name: string;
    parentId: string | null;
    path: string;
    createdAt: Date;
  }): OrgUnit {
    return new OrgUnit(p.id, p.name, p.parentId, p.path, p.createdAt);
  }

  /** Ids from the root down to this unit. */
  get ancestry(): string[] {
    return this.path.split('/').filter(Boolean);
  }

  contains(other: OrgUnit): boolean {
    return other.path.startsWith(this.path);
  }
}

export interface UnitTreeNode {
  id: string;
  name: string;
  parentId: string | null;
  children: UnitTreeNode[];
}

/** Builds the nested tree from a flat list; orphans (a parent not in the list) become roots. */
export function buildUnitTree(units: readonly OrgUnit[]): UnitTreeNode[] {
  const nodes = new Map<string, UnitTreeNode>();
  for (const u of units) nodes.set(u.id, { id: u.id, name: u.name, parentId: u.parentId, children: [] });
  const roots: UnitTreeNode[] = [];
  for (const u of [...units].sort((a, b) => a.name.localeCompare(b.name))) {
    const node = nodes.get(u.id)!;
    const parent = u.parentId ? nodes.get(u.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
