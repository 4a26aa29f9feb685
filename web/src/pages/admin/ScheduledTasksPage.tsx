import { useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Drawer,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { EditOutlined, HistoryOutlined, PlayCircleOutlined } from '@ant-design/icons';
import { PageTitle } from '../../components/PageTitle';
import { useNotify } from '../../components/useNotify';
import { useI18n } from '../../i18n/I18nProvider';
import { scheduler, type ScheduledRun, type ScheduledTask } from '../../api/admin';
import { describeCron, nextRuns } from '../../lib/admin/cron-preview';
import { useBizTypes, useLoaded } from './shared/useAdminData';
import { FormModal } from './shared/FormModal';

const EMPTY: ScheduledTask[] = [];

/** The scheduled jobs (compensation, archival, expiry): rules, on/off, run now, run history. */
export default function ScheduledTasksPage() {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const tasks = useLoaded(async () => (await scheduler.list()).items, EMPTY);
  const [editing, setEditing] = useState<ScheduledTask | null>(null);
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

  return (
    <>
      <PageTitle>{t('nav.scheduled')}</PageTitle>
      <Table<ScheduledTask>
        rowKey="name"
        loading={tasks.loading}
        dataSource={tasks.data}
        pagination={false}
        columns={[
          {
            title: t('admin.jobs.name'),
            dataIndex: 'name',
            render: (v: string) => (
              <>
                <Typography.Text strong>{v}</Typography.Text>
                <br />
                <Typography.Text type="secondary">{t(jobPurpose(v))}</Typography.Text>
              </>
            ),
          },
          {
            title: t('admin.jobs.cron'),
            key: 'cron',
            render: (_, task) => <CronText cron={task.rule.cron} timezone={task.rule.timezone} />,
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
              </Space>
            ),
          },
        ]}
      />
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

function jobPurpose(name: string) {
  if (name === 'compensation') return 'admin.jobs.purpose.compensation' as const;
  if (name === 'archival') return 'admin.jobs.purpose.archival' as const;
  if (name === 'expiry') return 'admin.jobs.purpose.expiry' as const;
  return 'common.none' as const;
}

function OutcomeTag({ outcome }: { outcome: string }) {
  const color = outcome === 'SUCCESS' || outcome === 'OK' ? 'green' : outcome === 'RUNNING' ? 'blue' : 'red';
  return <Tag color={color}>{outcome}</Tag>;
}

/** The cron, its meaning in words when it has a usual shape, and its zone. */
function CronText({ cron, timezone }: { cron: string; timezone: string | null }) {
  const { t } = useI18n();
  const words = describeCron(cron);
  return (
    <Space direction="vertical" size={0}>
      <Typography.Text code>{cron}</Typography.Text>
      <Typography.Text type="secondary">
        {words ? t(words.key, words.values) : null}
        {words ? ' · ' : null}
        {timezone ?? t('admin.jobs.serverZone')}
      </Typography.Text>
    </Space>
  );
}

/** Which optional rule fields each job has (the server refuses the others). */
const JOB_FIELDS: Record<string, string[]> = {
  compensation: ['minAgeSeconds'],
  archival: ['fileTaskRetentionDays', 'logRetentionDays'],
  expiry: ['orphanMinAgeMinutes'],
};

interface RuleValues {
  cron: string;
  timezone?: string;
  bizTypes?: string[];
  batchSize: number;
  maxItems: number;
  [optional: string]: unknown;
}

function RuleModal({ task, onClose }: { task: ScheduledTask; onClose: (saved: boolean) => void }) {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const bizTypes = useBizTypes();
  const [form] = Form.useForm<RuleValues>();
  const cron = Form.useWatch('cron', form) ?? task.rule.cron;
  const timezone = Form.useWatch('timezone', form) ?? task.rule.timezone ?? '';
  const preview = useMemo(() => nextRuns(cron, timezone.trim() || null, 5, new Date()), [cron, timezone]);
  const words = describeCron(cron);
  const optional = JOB_FIELDS[task.name] ?? [];

  const save = async (v: RuleValues) => {
    const rule: Record<string, unknown> = {
      cron: v.cron,
      timezone: v.timezone?.trim() ? v.timezone.trim() : null,
      bizTypes: v.bizTypes ?? [],
      batchSize: v.batchSize,
      maxItems: v.maxItems,
    };
    for (const f of optional) rule[f] = v[f] ?? null;
    await scheduler.update(task.name, { rule });
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
      fieldOf={(e) =>
        e.status !== 400
          ? undefined
          : e.code === 'INVALID_CRON'
            ? 'cron'
            : e.code === 'INVALID_TIMEZONE'
              ? 'timezone'
              : e.field?.replace(/^rule\./, '')
      }
      onCancel={() => onClose(false)}
      initialValues={{ ...task.rule, timezone: task.rule.timezone ?? '' }}
    >
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
          <Form.Item key={f} name={f} label={t(`admin.jobs.field.${f}` as 'admin.jobs.field.minAgeSeconds')}>
            <InputNumber min={0} placeholder={t('admin.jobs.default')} />
          </Form.Item>
        ))}
      </Space>
    </FormModal>
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
