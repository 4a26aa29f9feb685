import { useMemo, useState } from 'react';
import type { FormInstance } from 'antd';
import {
  Alert,
  Button,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import {
  DeleteOutlined,
  EditOutlined,
  HistoryOutlined,
  PlayCircleOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { PageTitle } from '../../components/PageTitle';
import { CronText } from '../../components/CronText';
import { useNotify } from '../../components/useNotify';
import { useI18n } from '../../i18n/I18nProvider';
import {
  ARCHIVABLE_STATUSES,
  JOB_KINDS,
  scheduler,
  type JobKind,
  type ScheduledRun,
  type ScheduledTask,
} from '../../api/admin';
import { describeCron, nextRuns } from '../../lib/admin/cron-preview';
import { useBizTypes, useLoaded } from './shared/useAdminData';
import { FormModal } from './shared/FormModal';
import type { ApiError } from '../../api/errors';

const EMPTY: ScheduledTask[] = [];
/** The server's rule for a job's name (domain/scheduler JOB_NAME): a key in queue ids and runs. */
const JOB_NAME = /^[a-z][a-z0-9-]{0,47}$/;

/**
 * The scheduled jobs: the built-in three (compensation, archival, expiry) and the admin's own jobs
 * of those kinds (e.g. expiry of one biz type at its own hour): rules, on/off, run now, run
 * history, new jobs, and deleting the admin's own (a built-in one answers 409 BUILT_IN_JOB).
 */
export default function ScheduledTasksPage() {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const tasks = useLoaded(async () => (await scheduler.list()).items, EMPTY);
  const [editing, setEditing] = useState<ScheduledTask | null>(null);
  const [creating, setCreating] = useState(false);
  const [history, setHistory] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const toggle = async (task: ScheduledTask, enabled: boolean) => {
    setBusy(task.name);
    try {
      await scheduler.update(task.name, { enabled });
      notify.success(t(enabled ? 'admin.jobs.enabledNow' : 'admin.jobs.disabledNow', { name: task.name }));
      tasks.reload();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(null);
    }
  };

  const run = async (task: ScheduledTask) => {
    setBusy(task.name);
    try {
      const r = await scheduler.run(task.name);
      notify.success(t('admin.jobs.ran', { name: task.name, outcome: r.outcome, handled: r.handled ?? 0 }));
      tasks.reload();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(null);
    }
  };

  const remove = async (task: ScheduledTask) => {
    setBusy(task.name);
    try {
      await scheduler.remove(task.name);
      notify.success(t('admin.jobs.deleted', { name: task.name }));
      tasks.reload();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <PageTitle
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('admin.jobs.new')}
          </Button>
        }
      >
        {t('nav.scheduled')}
      </PageTitle>
      <Table<ScheduledTask>
        rowKey="name"
        loading={tasks.loading}
        dataSource={tasks.data}
        pagination={false}
        scroll={{ x: 1000 }}
        columns={[
          {
            title: t('admin.jobs.name'),
            dataIndex: 'name',
            render: (v: string, task) => (
              <>
                <Typography.Text strong>{v}</Typography.Text>{' '}
                {(task.builtIn ?? JOB_KINDS.includes(v as JobKind)) ? (
                  <Tag>{t('admin.jobs.builtIn')}</Tag>
                ) : null}
                <br />
                <Typography.Text type="secondary">{t(jobPurpose(kindOf(task)))}</Typography.Text>
                {task.rule.bizTypes.length > 0 ? (
                  <Typography.Text type="secondary"> · {task.rule.bizTypes.join(', ')}</Typography.Text>
                ) : null}
              </>
            ),
          },
          {
            title: t('admin.jobs.cron'),
            key: 'cron',
            render: (_, task) => <CronText cron={task.rule.cron} zone={task.rule.timezone} />,
          },
          {
            title: t('admin.jobs.enabled'),
            dataIndex: 'enabled',
            render: (v: boolean, task) => (
              <Switch
                checked={v}
                loading={busy === task.name}
                aria-label={t('admin.jobs.enabledOf', { name: task.name })}
                onChange={(on) => toggle(task, on)}
              />
            ),
          },
          {
            title: t('admin.jobs.nextRun'),
            dataIndex: 'nextRunAt',
            render: (v: string | null | undefined) => (v ? formatDate(v) : t('common.none')),
          },
          {
            title: t('admin.jobs.lastRun'),
            dataIndex: 'lastRun',
            render: (r: ScheduledRun | null) =>
              r ? (
                <Space direction="vertical" size={0}>
                  <OutcomeTag outcome={r.outcome} />
                  <Typography.Text type="secondary">
                    {formatDate(r.startedAt)} · {t('admin.jobs.handledN', { n: r.handled ?? 0 })}
                  </Typography.Text>
                </Space>
              ) : (
                t('admin.jobs.never')
              ),
          },
          {
            title: t('common.actions'),
            key: 'ops',
            render: (_, task) => (
              <Space wrap>
                <Button
                  size="small"
                  icon={<PlayCircleOutlined />}
                  loading={busy === task.name}
                  aria-label={t('admin.jobs.runOf', { name: task.name })}
                  onClick={() => run(task)}
                >
                  {t('admin.jobs.run')}
                </Button>
                <Button
                  size="small"
                  icon={<EditOutlined />}
                  aria-label={t('admin.jobs.editOf', { name: task.name })}
                  onClick={() => setEditing(task)}
                >
                  {t('admin.edit')}
                </Button>
                <Button
                  size="small"
                  icon={<HistoryOutlined />}
                  aria-label={t('admin.jobs.historyOf', { name: task.name })}
                  onClick={() => setHistory(task.name)}
                >
                  {t('admin.jobs.history')}
                </Button>
                {/* Offered for every job: the server keeps the built-in ones and says why (409). */}
                <Popconfirm
                  title={t('admin.jobs.deleteConfirm', { name: task.name })}
                  okText={t('admin.delete')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => remove(task)}
                >
                  <Button
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('admin.jobs.deleteOf', { name: task.name })}
                  >
                    {t('admin.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {creating ? (
        <NewJobModal
          onClose={(saved) => {
            setCreating(false);
            if (saved) tasks.reload();
          }}
        />
      ) : null}
      {editing ? (
        <RuleModal
          task={editing}
          onClose={(saved) => {
            setEditing(null);
            if (saved) tasks.reload();
          }}
        />
      ) : null}
      <Drawer
        open={history !== null}
        onClose={() => setHistory(null)}
        width={720}
        title={history ? t('admin.jobs.historyOf', { name: history }) : ''}
        destroyOnHidden
      >
        {history ? <RunHistory name={history} /> : null}
      </Drawer>
    </>
  );
}

/** A job's kind: the API names it; a server before kinds had only the built-in jobs, named so. */
const kindOf = (task: ScheduledTask): JobKind | undefined =>
  task.kind ?? (JOB_KINDS.includes(task.name as JobKind) ? (task.name as JobKind) : undefined);

function jobPurpose(kind: JobKind | undefined) {
  return kind ? (`admin.jobs.purpose.${kind}` as const) : ('common.none' as const);
}

function OutcomeTag({ outcome }: { outcome: string }) {
  const color = outcome === 'SUCCESS' || outcome === 'OK' ? 'green' : outcome === 'RUNNING' ? 'blue' : 'red';
  return <Tag color={color}>{outcome}</Tag>;
}

/** Which optional number fields each kind of job has (the server refuses the others). */
const JOB_FIELDS: Record<JobKind, NumberField[]> = {
  compensation: ['minAgeSeconds'],
  archival: ['olderThanDays', 'fileTaskRetentionDays', 'logRetentionDays'],
  expiry: ['orphanMinAgeMinutes'],
};
type NumberField =
  'minAgeSeconds' | 'olderThanDays' | 'fileTaskRetentionDays' | 'logRetentionDays' | 'orphanMinAgeMinutes';

/** A 400 of the scheduler on the dialog's field (`rule.cron` → cron). */
const ruleFieldOf = (e: ApiError) =>
  e.status !== 400
    ? undefined
    : e.code === 'INVALID_CRON'
      ? 'cron'
      : e.code === 'INVALID_TIMEZONE'
        ? 'timezone'
        : e.field?.replace(/^rule\./, '');

/** The rule as the API takes it from the dialog's values (empty zone: the server's own). */
function ruleOf(kind: JobKind | undefined, v: RuleValues): Record<string, unknown> {
  const rule: Record<string, unknown> = {
    cron: v.cron,
    timezone: v.timezone?.trim() ? v.timezone.trim() : null,
    bizTypes: v.bizTypes ?? [],
    batchSize: v.batchSize,
    maxItems: v.maxItems,
  };
  for (const f of kind ? JOB_FIELDS[kind] : []) rule[f] = v[f] ?? null;
  if (kind === 'archival') rule.statuses = v.statuses?.length ? v.statuses : null;
  return rule;
}

interface RuleValues {
  cron: string;
  timezone?: string;
  bizTypes?: string[];
  batchSize: number;
  maxItems: number;
  statuses?: string[];
  name?: string;
  kind?: JobKind;
  [optional: string]: unknown;
}

function RuleModal({ task, onClose }: { task: ScheduledTask; onClose: (saved: boolean) => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<RuleValues>();
  const kind = kindOf(task);

  const save = async (v: RuleValues) => {
    await scheduler.update(task.name, { rule: ruleOf(kind, v) });
    notify.success(t('admin.saved'));
    onClose(true);
  };

  return (
    <FormModal<RuleValues>
      form={form}
      width={620}
      title={t('admin.jobs.editOf', { name: task.name })}
      skipValidation
      onSubmit={save}
      fieldOf={ruleFieldOf}
      onCancel={() => onClose(false)}
      initialValues={{
        ...task.rule,
        timezone: task.rule.timezone ?? '',
        statuses: (task.rule.statuses as string[] | null) ?? [],
      }}
    >
      <RuleFields form={form} kind={kind} initialCron={task.rule.cron} initialZone={task.rule.timezone} />
    </FormModal>
  );
}

/** A new job of a kind under a name of the admin's (API.md "Lifecycle rules per biz type"). */
function NewJobModal({ onClose }: { onClose: (saved: boolean) => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<RuleValues>();
  const kind: JobKind = Form.useWatch('kind', form) ?? 'expiry';

  const save = async (v: RuleValues) => {
    const name = (v.name ?? '').trim();
    await scheduler.create(name, { kind, rule: ruleOf(kind, v), enabled: true });
    notify.success(t('admin.jobs.created', { name }));
    onClose(true);
  };

  return (
    <FormModal<RuleValues>
      form={form}
      width={620}
      title={t('admin.jobs.newTitle')}
      onSubmit={save}
      fieldOf={(e) => (e.status === 400 && e.field === 'name' ? 'name' : ruleFieldOf(e))}
      onCancel={() => onClose(false)}
      initialValues={{ kind: 'expiry', cron: '0 3 * * *', timezone: '', batchSize: 500, maxItems: 100_000 }}
    >
      <Space wrap align="start">
        <Form.Item
          name="name"
          label={t('admin.jobs.jobName')}
          extra={t('admin.jobs.jobNameHelp')}
          rules={[{ required: true, pattern: JOB_NAME, message: t('admin.jobs.jobNameBad') }]}
        >
          <Input placeholder="invoice-expiry" style={{ width: 240 }} />
        </Form.Item>
        <Form.Item name="kind" label={t('admin.jobs.kind')}>
          <Select
            style={{ width: 180 }}
            options={JOB_KINDS.map((k) => ({ value: k, label: t(`admin.jobs.kind.${k}`) }))}
          />
        </Form.Item>
      </Space>
      <RuleFields form={form} kind={kind} initialCron="0 3 * * *" initialZone={null} />
    </FormModal>
  );
}

/** The rule's fields of a job of `kind`, with a preview of the cron's next runs. */
function RuleFields({
  form,
  kind,
  initialCron,
  initialZone,
}: {
  form: FormInstance<RuleValues>;
  kind: JobKind | undefined;
  initialCron: string;
  initialZone: string | null;
}) {
  const { t, formatDate } = useI18n();
  const bizTypes = useBizTypes();
  const cron = Form.useWatch('cron', form) ?? initialCron;
  const timezone = Form.useWatch('timezone', form) ?? initialZone ?? '';
  const preview = useMemo(() => nextRuns(cron, timezone.trim() || null, 5, new Date()), [cron, timezone]);
  const words = describeCron(cron);
  const optional = kind ? JOB_FIELDS[kind] : [];
  return (
    <>
      <Form.Item name="cron" label={t('admin.jobs.cron')} extra={t('admin.jobs.cronHelp')}>
        <Input style={{ fontFamily: 'monospace' }} />
      </Form.Item>
      <Form.Item name="timezone" label={t('admin.jobs.timezone')} extra={t('admin.jobs.timezoneHelp')}>
        <Input placeholder="Asia/Shanghai" />
      </Form.Item>
      <div aria-live="polite" style={{ marginBottom: 16 }}>
        {preview.ok ? (
          <Alert
            type="info"
            showIcon
            message={words ? t(words.key, words.values) : t('admin.jobs.nextRuns')}
            description={
              <>
                <Typography.Text type="secondary">{t('admin.jobs.nextRunsYourZone')}</Typography.Text>
                <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
                  {preview.runs.map((d) => (
                    <li key={d.toISOString()}>{formatDate(d.toISOString())}</li>
                  ))}
                </ul>
              </>
            }
          />
        ) : (
          <Alert type="warning" showIcon message={t('admin.jobs.badCron')} description={preview.message} />
        )}
      </div>
      <Form.Item name="bizTypes" label={t('admin.jobs.bizTypes')} extra={t('admin.jobs.bizTypesHelp')}>
        <Select mode="multiple" options={bizTypes.data.map((b) => ({ value: b.code, label: b.code }))} />
      </Form.Item>
      <Space wrap>
        <Form.Item name="batchSize" label={t('admin.jobs.batchSize')}>
          <InputNumber min={1} />
        </Form.Item>
        <Form.Item name="maxItems" label={t('admin.jobs.maxItems')}>
          <InputNumber min={1} />
        </Form.Item>
        {optional.map((f) => (
          <Form.Item key={f} name={f} label={t(`admin.jobs.field.${f}`)}>
            <InputNumber min={0} placeholder={t('admin.jobs.default')} />
          </Form.Item>
        ))}
      </Space>
      {kind === 'archival' ? (
        <Form.Item name="statuses" label={t('admin.jobs.field.statuses')}>
          <Select
            mode="multiple"
            options={ARCHIVABLE_STATUSES.map((x) => ({ value: x, label: t(`status.${x}`) }))}
          />
        </Form.Item>
      ) : null}
    </>
  );
}

function RunHistory({ name }: { name: string }) {
  const { t, formatDate } = useI18n();
  const runs = useLoaded(async () => (await scheduler.runs(name)).items, [] as ScheduledRun[]);
  return (
    <Table<ScheduledRun>
      rowKey={(r) => r.id ?? `${r.startedAt}`}
      size="small"
      loading={runs.loading}
      dataSource={runs.data}
      pagination={false}
      locale={{ emptyText: t('admin.jobs.never') }}
      columns={[
        { title: t('admin.jobs.startedAt'), dataIndex: 'startedAt', render: (v: string) => formatDate(v) },
        {
          title: t('admin.jobs.finishedAt'),
          dataIndex: 'finishedAt',
          render: (v: string | null) => formatDate(v),
        },
        { title: t('admin.jobs.trigger'), dataIndex: 'trigger' },
        { title: t('admin.jobs.handled'), dataIndex: 'handled' },
        {
          title: t('admin.logs.outcome'),
          dataIndex: 'outcome',
          render: (v: string) => <OutcomeTag outcome={v} />,
        },
      ]}
    />
  );
}
