import type { DataHandler } from '../../../domain/metadata/data-handler';
import type { HandlerParser } from '../../../domain/metadata/biz-type';
import type { DataHandlerAdapter } from '../../../domain/exports/data-handler.port';
import { ExportErrors } from '../../../domain/exports/export.errors';

const adapters = new Map<string, DataHandlerAdapter>();

/**
 * Adds a data handler type. The same code runs on every node, so registering it at module load
 * (beside the service list) makes it known to the metadata service's validation and to every
 * export node alike.
 */
export function registerDataHandler(type: string, adapter: DataHandlerAdapter): void {
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(type)) throw new TypeError(`invalid data handler type "${type}"`);
  adapters.set(type, adapter);
}

export function dataHandlerAdapter(h: DataHandler): DataHandlerAdapter {
  const a = adapters.get(h.type);
  if (!a) throw ExportErrors.unknownDataHandler(h.type);
  return a;
}

/** Parsers of the registered types beyond the built-in ones, for parseBizType(). */
export function registeredHandlerParsers(): Record<string, HandlerParser> {
  return Object.fromEntries([...adapters].map(([type, a]) => [type, (raw) => a.parse(raw)]));
}
