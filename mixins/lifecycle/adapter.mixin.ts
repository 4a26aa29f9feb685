import type { Service, ServiceSchema } from 'moleculer';
import { LifecycleErrors } from '../../domain/ports/lifecycle.errors';

/** A value that exists from its service's started() to its stopped(). */
export interface Started<T> {
  /** The value; throws ADAPTER_NOT_STARTED outside the started window, so callers need no `!`. */
  readonly get: () => T;
  /** The value, or null outside the started window (an event handler that may run while stopping). */
  readonly peek: () => T | null;
  /**
   * A value built from this one on first use and again after a restart (a repository over the
   * database, a port over the queue): `const tasks = database.derive((db) => new FileTaskRepository(db))`.
   */
  readonly derive: <R>(build: (value: T) => R) => () => R;
}

/** A value the service sets in its own started() (a relay, a timer) and clears in stopped(). */
export interface StartedValue<T> extends Started<T> {
  readonly set: (value: T) => T;
  /** Empties the slot and returns what it held, for the caller to close. */
  readonly clear: () => T | null;
}

/** An adapter together with the Moleculer mixin that opens it in started() and closes it in stopped(). */
export interface Adapter<T> extends Started<T> {
  readonly name: string;
  readonly mixin: Partial<ServiceSchema>;
}

export function startedValue<T>(name: string): StartedValue<T> {
  let value: T | null = null;
  const get = (): T => {
    if (value === null) throw LifecycleErrors.notStarted(name);
    return value;
  };
  return {
    get,
    peek: () => value,
    derive: <R>(build: (v: T) => R): (() => R) => {
      let from: T | null = null;
      let made: R | undefined;
      return () => {
        const v = get();
        if (v !== from) {
          made = build(v);
          from = v;
        }
        return made as R;
      };
    },
    set: (v: T) => (value = v),
    clear: () => {
      const v = value;
      value = null;
      return v;
    },
  };
}

/**
 * The lifecycle every adapter mixin shares (databaseMixin, storageMixin, queueMixin, and a
 * service's own resources such as the export node's source pool).
 *
 * Order: Moleculer 0.14 concatenates the started/stopped hooks of `mixins` with the last mixin's
 * first and the service's own last, and runs stopped() in exactly the reverse order
 * (Service.applyMixins, Service._stop). So a service lists its adapters in the order they must
 * stop — queues, then storage, then the database — and they start the other way round, all before
 * the service's own started(); its own stopped() runs before any adapter closes.
 */
export function adapterMixin<T>(
  name: string,
  open: (service: Service) => Promise<T>,
  close: (value: T) => Promise<void>,
): Adapter<T> {
  const slot = startedValue<T>(name);
  return {
    name,
    get: slot.get,
    peek: slot.peek,
    derive: slot.derive,
    mixin: {
      async started(this: Service) {
        slot.set(await open(this));
      },
      async stopped() {
        const v = slot.clear();
        // Never opened (its started() failed or did not run): nothing to close.
        if (v !== null) await close(v);
      },
    },
  };
}
