import type { Clock } from '../../ports/clock.port';
import type { IdGenerator } from '../../ports/id-generator.port';
import type { OutboxHint } from '../../ports/outbox.port';
import { actorEvent, type Actor } from '../../shared/domain-event';
import { parseBizType, type HandlerParser } from '../biz-type';
import { MetadataErrors } from '../metadata.errors';
import type { BizTypeRepository, StoredBizType } from '../metadata.ports';

/** Everything saving a biz type reaches outside the domain, as ports. */
export interface SaveBizTypeDeps {
  bizTypes: BizTypeRepository;
  /** The data handlers this cluster knows, each judging its own part of a definition. */
  handlers: Record<string, HandlerParser>;
  ids: IdGenerator;
  clock: Clock;
  outbox: OutboxHint;
  /** Every node drops what it cached of this biz type. */
  changed(code: string): Promise<void>;
}

/**
 * An administrator creates or replaces a biz type (API.md "Metadata", PUT is v1's upsert). With
 * `version` the write is conditional on the stored version (409 VERSION_CONFLICT otherwise); a
 * kind never changes; two concurrent writes conflict instead of one overwriting the other. The
 * BIZ_TYPE_CHANGED event is stored with the write. `created` tells 201 from 200.
 */
export async function saveBizType(
  d: SaveBizTypeDeps,
  actor: Actor & { userId: string },
  code: string,
  body: Record<string, unknown>,
): Promise<{ saved: StoredBizType; created: boolean }> {
  const { version, ...definition } = body;
  const bizType = parseBizType(code, definition, d.handlers);
  const current = await d.bizTypes.find(bizType.code);
  if (version !== undefined && (!Number.isSafeInteger(version) || version !== current?.version))
    throw MetadataErrors.versionConflict(current?.version ?? null);
  if (current && current.bizType.kind !== bizType.kind) throw MetadataErrors.kindChange();
  const event = actorEvent(d, actor, {
    type: 'BIZ_TYPE_CHANGED',
    targetType: 'BIZ_TYPE',
    targetId: bizType.code,
    bizType: bizType.code,
    detail: { change: current ? 'UPDATED' : 'CREATED', version: (current?.version ?? 0) + 1 },
  });
  const saved = await d.bizTypes.save(bizType, current?.version ?? null, actor.userId, d.clock.now(), [
    event,
  ]);
  if (!saved) throw MetadataErrors.changedConcurrently();
  d.outbox.appended();
  await d.changed(bizType.code);
  return { saved, created: !current };
}
