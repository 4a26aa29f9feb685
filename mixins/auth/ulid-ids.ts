import { monotonicFactory } from 'ulid';
import type { IdGenerator } from '../../domain/directory/directory.ports';

// ULIDs sort by creation time, so string keys stay index-friendly (no random B-tree inserts) and
// keyset pagination by id is also pagination by age.
const next = monotonicFactory();
export const ulidIds: IdGenerator = { next: () => next() };
