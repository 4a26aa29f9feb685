import { domainEvent } from '../shared/domain-event';
import type { Clock } from '../ports/clock.port';
import type { Actor } from './directory.use-cases';
import type { IdGenerator } from './directory.ports';
import { assertRolesKnown } from './user';
import {
  ServiceAccount,
  type ServiceAccountRepository,
  type ServiceAccountTokenMaker,
} from './service-account';
import { DirectoryErrors } from './directory.errors';

export interface ServiceAccountDeps {
  repo: ServiceAccountRepository;
  ids: IdGenerator;
  clock: Clock;
  newToken: ServiceAccountTokenMaker;
  knownRoles(): Promise<Set<string>>;
  /** The unit id when it exists (null stays null); throws a validation error otherwise. */
  checkUnit(unitId: unknown): Promise<string | null>;
}

/** Service accounts: created with a token shown once, listed without it, deleted to revoke. */
export class ServiceAccountUseCases {
  constructor(private readonly d: ServiceAccountDeps) {}

  private logged(actor: Actor, account: ServiceAccount, change: 'CREATED' | 'DELETED') {
    const { name, roles, unitId } = account.snapshot();
    return domainEvent(
      {
        type: 'SERVICE_ACCOUNT_CHANGED',
        userId: actor.userId,
        requestId: actor.requestId,
        targetType: 'SERVICE_ACCOUNT',
        targetId: account.id,
        detail: { change, name, roles, unitId },
      },
      this.d.ids.next(),
      this.d.clock.now(),
    );
  }

  async create(input: { name: unknown; roles?: unknown; unitId?: unknown }, actor: Actor) {
    const roles = assertRolesKnown(input.roles ?? [], await this.d.knownRoles());
    const unitId = await this.d.checkUnit(input.unitId ?? null);
    const id = this.d.ids.next();
    const { token, hash } = this.d.newToken(id);
    const account = ServiceAccount.create({
      id,
      name: input.name,
      roles,
      unitId,
      tokenHash: hash,
      createdAt: this.d.clock.now(),
      createdBy: actor.userId,
    });
    if (!(await this.d.repo.insert(account, [this.logged(actor, account, 'CREATED')])))
      throw DirectoryErrors.serviceAccountNameTaken(account.name);
    return { ...account.toView(), token };
  }

  async list() {
    return { items: (await this.d.repo.list()).map((a) => a.toView()) };
  }

  async get(id: string) {
    const account = await this.d.repo.find(id);
    if (!account) throw DirectoryErrors.serviceAccountNotFound();
    return account;
  }

  /**
   * `GET /api/auth/me` with the account's token: the fields of a user's answer (`username` is
   * `service:<name>`, the name its operation log entries show) plus `kind: 'service'`, so a caller
   * can tell the two apart while code reading a user's answer keeps working.
   */
  async me(id: string) {
    const { username, roles, unitId } = (await this.get(id)).toSubject();
    return { id, username, roles, unitId, kind: 'service' as const };
  }

  async remove(id: string, actor: Actor) {
    const account = await this.get(id);
    if (!(await this.d.repo.delete(id, [this.logged(actor, account, 'DELETED')])))
      throw DirectoryErrors.serviceAccountNotFound();
  }
}
