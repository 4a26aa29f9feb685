/**
 * The demo organisation of the embedded default: a three-level unit tree with fixed ids (the demo
 * shop's orders refer to the store units by these ids) and a few users, listed in the README.
 */
export interface DemoUnit {
  id: string;
  name: string;
  parentId: string | null;
}

export const DEMO_UNITS: readonly DemoUnit[] = [
  { id: 'u-hq', name: 'Head Office', parentId: null },
  { id: 'u-east', name: 'East Region', parentId: 'u-hq' },
  { id: 'u-east-sh', name: 'Shanghai Store', parentId: 'u-east' },
  { id: 'u-east-hz', name: 'Hangzhou Store', parentId: 'u-east' },
  { id: 'u-south', name: 'South Region', parentId: 'u-hq' },
  { id: 'u-south-gz', name: 'Guangzhou Store', parentId: 'u-south' },
  { id: 'u-south-sz', name: 'Shenzhen Store', parentId: 'u-south' },
];

/** Units that own orders: the leaves of the tree. */
export const DEMO_STORE_UNIT_IDS: readonly string[] = DEMO_UNITS.filter(
  (u) => !DEMO_UNITS.some((c) => c.parentId === u.id),
).map((u) => u.id);

export const DEMO_ROLES: readonly { code: string; name: string }[] = [
  { code: 'FINANCE', name: 'Finance' },
  { code: 'SALES', name: 'Sales' },
  { code: 'OPERATOR', name: 'Store operator' },
];

export const DEMO_PASSWORD = 'demo-pass-1';

export const DEMO_USERS: readonly {
  username: string;
  displayName: string;
  roles: string[];
  unitId: string;
}[] = [
  { username: 'alice', displayName: 'Alice (finance, head office)', roles: ['FINANCE'], unitId: 'u-hq' },
  { username: 'bob', displayName: 'Bob (sales, East Region)', roles: ['SALES'], unitId: 'u-east' },
  {
    username: 'carol',
    displayName: 'Carol (operator, Shanghai Store)',
    roles: ['OPERATOR'],
    unitId: 'u-east-sh',
  },
  { username: 'dave', displayName: 'Dave (sales, South Region)', roles: ['SALES'], unitId: 'u-south' },
  { username: 'erin', displayName: 'Erin (auditor)', roles: ['AUDITOR'], unitId: 'u-hq' },
];
