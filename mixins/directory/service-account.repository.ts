import type { DataSource } from 'typeorm';
import { ServiceAccount, type ServiceAccountRepository } from '../../domain/directory/service-account';
import type { DomainEvent } from '../../domain/shared/domain-event';
import { ServiceAccountSchema, type ServiceAccountRow } from '../database/schemas/directory.schema';
import { isDuplicateKey } from '../database/db-errors';
import { appendToOutbox } from '../operation-log/outbox';

export class TypeormServiceAccountRepository implements ServiceAccountRepository {
  constructor(private readonly ds: DataSource) {}

  private toAccount = (r: ServiceAccountRow) =>
    ServiceAccount.restore({
      ...r,
      roles: JSON.parse(r.roles) as string[],
      createdAt: new Date(r.createdAt),
    });

  async insert(account: ServiceAccount, events: DomainEvent[]) {
    const p = account.snapshot();
    try {
      await this.ds.transaction(async (em) => {
        await appendToOutbox(em, events);
        await em.getRepository(ServiceAccountSchema).insert({ ...p, roles: JSON.stringify(p.roles) });
      });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }

  async list() {
    return (await this.ds.getRepository(ServiceAccountSchema).find({ order: { id: 'ASC' } })).map(
      this.toAccount,
    );
  }

  async find(id: string) {
    const row = await this.ds.getRepository(ServiceAccountSchema).findOneBy({ id });
    return row ? this.toAccount(row) : null;
  }

  async delete(id: string, events: DomainEvent[]) {
    return this.ds.transaction(async (em) => {
      const r = await em.getRepository(ServiceAccountSchema).delete({ id });
      if (!r.affected) return false;
      await appendToOutbox(em, events);
      return true;
    });
  }
}
