import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Lifecycle rules per biz type (API.md): several jobs of one kind. `scheduled_tasks.kind` names
 * the code a job runs; null on the built-in rows stored before, whose kind is their name.
 */
export class JobKinds1764000000014 implements MigrationInterface {
  name = 'JobKinds1764000000014';

  async up(q: QueryRunner): Promise<void> {
    if (!(await q.hasColumn('scheduled_tasks', 'kind')))
      await q.addColumn(
        'scheduled_tasks',
        new TableColumn({ name: 'kind', type: 'varchar', length: '16', isNullable: true }),
      );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('scheduled_tasks', 'kind');
  }
}
