/**
 * The org-unit tree as the API answers it (GET /api/units/tree) turned into what antd's Tree and
 * TreeSelect draw, plus the lookups the admin pages need (a unit's name, the units a subtree
 * covers). Pure: no React, no DOM.
 */
export interface UnitNode {
  id: string;
  name: string;
  parentId: string | null;
  children: UnitNode[];
}

/** antd's tree node shape (Tree and TreeSelect both accept it). */
export interface TreeNodeData {
  key: string;
  value: string;
  title: string;
  children: TreeNodeData[];
}

export function toTreeData(units: readonly UnitNode[]): TreeNodeData[] {
  return units.map((u) => ({ key: u.id, value: u.id, title: u.name, children: toTreeData(u.children) }));
}

/** Every unit, depth first, with its depth (0 for a root). */
export function flattenUnits(units: readonly UnitNode[], depth = 0): { unit: UnitNode; depth: number }[] {
  return units.flatMap((u) => [{ unit: u, depth }, ...flattenUnits(u.children, depth + 1)]);
}

/** id → name of every unit. */
export function unitNames(units: readonly UnitNode[]): Map<string, string> {
  return new Map(flattenUnits(units).map(({ unit }) => [unit.id, unit.name]));
}

/** The unit with `id`, searched through the whole tree. */
export function findUnit(units: readonly UnitNode[], id: string): UnitNode | undefined {
  return flattenUnits(units).find(({ unit }) => unit.id === id)?.unit;
}

/**
 * The names of the units a UNIT grant on `id` applies to: the unit itself and every unit below it
 * (API.md: "X's unit is subject or inside its subtree"). Empty when the unit is unknown.
 */
export function subtreeNames(units: readonly UnitNode[], id: string): string[] {
  const root = findUnit(units, id);
  return root ? flattenUnits([root]).map(({ unit }) => unit.name) : [];
}

/** Keys of every unit that has children: the tree opens fully (the org tree is small). */
export function expandableKeys(units: readonly UnitNode[]): string[] {
  return flattenUnits(units)
    .filter(({ unit }) => unit.children.length > 0)
    .map(({ unit }) => unit.id);
}
