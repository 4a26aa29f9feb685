/** Unique, time-ordered ids (ULIDs in production) for aggregates and events. */
export interface IdGenerator {
  next(): string;
}
