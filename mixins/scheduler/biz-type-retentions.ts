import type { ServiceBroker } from 'moleculer';
import type { BizType } from '../../domain/metadata/biz-type';
import type { BizTypeRetentions } from '../../domain/scheduler/scheduler.ports';
import { asSystem } from '../auth/caller-identity.middleware';

/** The BizTypeRetentions port over `metadata.all`, called as this node's system principal. */
export const metadataRetentions = (broker: ServiceBroker): BizTypeRetentions => ({
  async all() {
    const types = await broker.call<BizType[], object>('metadata.all', {}, asSystem());
    return types.map((b) => ({
      code: b.code,
      kind: b.kind,
      retentionDays: (b.rules as { retentionDays?: number | null }).retentionDays ?? null,
    }));
  },
});
