/**
 * Told after a write that committed domain events into the outbox: a hint that wakes a relay. A
 * lost hint costs nothing but latency, the relay's next poll delivers the events anyway.
 */
export interface OutboxHint {
  appended(): void;
}
