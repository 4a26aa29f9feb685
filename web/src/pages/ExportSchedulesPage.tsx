import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import dayjs from 'dayjs';
import {
  Alert,
  App,
  Button,
  Divider,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Spin,
  Switch,
  Table,
  Typography,
} from 'antd';
import { DeleteOutlined, EditOutlined, PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { exportSchedules, type ExportSchedule, type ScheduleFields } from '../api/resources';
import { directory } from '../api/admin';
import type { ApiError } from '../api/errors';
import { useSession } from '../auth/AuthProvider';
import { PageTitle } from '../components/PageTitle';
import { CronText } from '../components/CronText';
import { useNotify } from '../components/useNotify';
import { useI18n } from '../i18n/I18nProvider';
import { describeCron, nextRuns } from '../lib/admin/cron-preview';
import { buildFilterFields, requestedColumns, toFilters, type FilterField } from '../lib/export-form';
import {
  CRON_PRESETS,
  dateRangeFields,
  formValuesOf,
  PERIOD_PRESETS,
  periodOf,
  withPeriod,
  type PeriodId,
} from '../lib/export-schedule';
import type { Lang } from '../i18n/messages';
import { FormModal } from './admin/shared/FormModal';
import { useLoaded } from './admin/shared/useAdminData';
import {
  BizTypeSelect,
  ColumnsAndFormat,
  FilterGrid,
  freshValues,
  useExportables,
  ZoneAndLocale,
  type Exportable,
} from './export/ExportFields';

const EMPTY: ExportSchedule[] = [];
const NO_PERIOD = 'none';

/** Every schedule the user may see (own; an admin: all), page after page (people have a few). */
async function allSchedules(): Promise<ExportSchedule[]> {
  const out: ExportSchedule[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: ExportSchedule[]; nextCursor: string | null } = await exportSchedules.list(cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 2_000);
  return out;
}

/**
 * Recurring exports (API.md "Recurring exports"): the user's schedules with their next and last
 * runs and the last error, a dialog to write one (the new export's fields plus the rule and a
 * period relative to each run), run now, delete. An admin sees everyone's, with the owner.
 */
export default function ExportSchedulesPage() {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { me } = useSession();
  const isAdmin = me?.roles.includes('ADMIN') ?? false;
  const list = useLoaded(allSchedules, EMPTY);
  const [editing, setEditing] = useState<ExportSchedule | 'new' | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [owners, setOwners] = useState<Map<string, string>>(new Map());

  // An admin sees other people's schedules: name their owners (the schedule holds the id only).
  useEffect(() => {
    if (!isAdmin) return;
    directory
      .allUsers()
      .then((users) => setOwners(new Map(users.map((u) => [u.id, u.username]))))
      .catch(() => undefined);
  }, [isAdmin]);

  const act = async (s: ExportSchedule, fn: () => Promise<void>) => {
    setBusy(s.id);
    try {
      await fn();
      list.reload();
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(null);
    }
  };

  const runNow = (s: ExportSchedule) =>
    act(s, async () => {
      const task = await exportSchedules.run(s.id);
      const to = `/files?task=${encodeURIComponent(task.id)}`;
      const key = `run-${s.id}`;
      // antd's messages render outside the router (App wraps it): a plain link that navigates.
      void message.success({
        key,
        duration: 8,
        content: (
          <span>
            {t('schedules.ran')} {task.name} —{' '}
            <a
              href={to}
              onClick={(e) => {
                e.preventDefault();
                message.destroy(key);
                void navigate(to);
              }}
            >
              {t('schedules.openTask')}
            </a>
          </span>
        ),
      });
    });

  return (
    <>
      <PageTitle
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('schedules.new')}
          </Button>
        }
      >
        {t('nav.schedules')}
      </PageTitle>
      <Typography.Paragraph type="secondary">{t('schedules.intro')}</Typography.Paragraph>
      <Table<ExportSchedule>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data}
        pagination={false}
        scroll={{ x: 1150 }}
        locale={{ emptyText: t('schedules.empty') }}
        columns={[
          {
            title: t('schedules.name'),
            dataIndex: 'name',
            width: 220,
            render: (name: string, s) => (
              <>
                <Typography.Text strong>{name}</Typography.Text>
                <br />
                <Typography.Text type="secondary">
                  {s.bizType} · {s.format}
                </Typography.Text>
              </>
            ),
          },
          ...(isAdmin
            ? [
                {
                  title: t('schedules.owner'),
                  dataIndex: 'ownerId',
                  width: 110,
                  render: (id: string) => owners.get(id) ?? id,
                },
              ]
            : []),
          {
            title: t('schedules.when'),
            key: 'cron',
            render: (_: unknown, s: ExportSchedule) => <CronText cron={s.cron} zone={s.timeZone} />,
          },
          {
            title: t('schedules.enabled'),
            dataIndex: 'enabled',
            width: 90,
            render: (on: boolean, s) => (
              <Switch
                checked={on}
                loading={busy === s.id}
                aria-label={t('schedules.enabledOf', { name: s.name })}
                onChange={(next) =>
                  act(s, async () => {
                    await exportSchedules.update(s.id, { enabled: next });
                    notify.success(
                      t(next ? 'schedules.enabledNow' : 'schedules.disabledNow', { name: s.name }),
                    );
                  })
                }
              />
            ),
          },
          {
            title: t('schedules.nextRun'),
            dataIndex: 'nextRunAt',
            width: 180,
            render: (v: string | null) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(v)}</span>,
          },
          {
            title: t('schedules.lastRun'),
            key: 'last',
            width: 200,
            render: (_: unknown, s: ExportSchedule) =>
              s.lastFiredAt ? (
                <Space direction="vertical" size={0}>
                  <span style={{ whiteSpace: 'nowrap' }}>{formatDate(s.lastFiredAt)}</span>
                  {s.lastTaskId ? (
                    <Link to={`/files?task=${encodeURIComponent(s.lastTaskId)}`}>
                      {t('schedules.lastTask')}
                    </Link>
                  ) : null}
                  {s.lastError ? (
                    <Typography.Text type="danger" role="alert">
                      {t('schedules.lastError')}: {s.lastError}
                    </Typography.Text>
                  ) : null}
                </Space>
              ) : (
                <Typography.Text type="secondary">{t('schedules.never')}</Typography.Text>
              ),
          },
          {
            title: t('common.actions'),
            key: 'ops',
            width: 270,
            // Kept in view while the wider columns scroll: at a laptop's width the table is wider
            // than the page, and Run now / Edit / Delete were cut off at its right edge.
            fixed: 'right' as const,
            render: (_: unknown, s: ExportSchedule) => (
              <Space wrap size="small">
                <Button
                  size="small"
                  icon={<PlayCircleOutlined />}
                  loading={busy === s.id}
                  aria-label={t('schedules.runOf', { name: s.name })}
                  onClick={() => void runNow(s)}
                >
                  {t('schedules.run')}
                </Button>
                <Button
                  size="small"
                  icon={<EditOutlined />}
                  aria-label={t('schedules.editOfShort', { name: s.name })}
                  onClick={() => setEditing(s)}
                >
                  {t('admin.edit')}
                </Button>
                <Popconfirm
                  title={t('schedules.deleteConfirm', { name: s.name })}
                  okText={t('admin.delete')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() =>
                    act(s, async () => {
                      await exportSchedules.remove(s.id);
                      notify.success(t('schedules.deleted'));
                    })
                  }
                >
                  <Button
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('schedules.deleteOf', { name: s.name })}
                  >
                    {t('admin.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {editing ? (
        <ScheduleModal
          schedule={editing === 'new' ? null : editing}
          onClose={(saved) => {
            setEditing(null);
            if (saved) list.reload();
          }}
        />
      ) : null}
    </>
  );
}

interface Values extends Record<string, unknown> {
  name: string;
  cron: string;
  timeZone: string;
  locale: Lang;
  format: string;
  columns: string[];
  period: PeriodId | 'custom' | typeof NO_PERIOD;
}

/** The form field a 400 of the API names (`filters.createdFrom[0]` → the filter's field). */
function fieldOfError(e: ApiError, fields: readonly FilterField[], periodFields: readonly string[]) {
  if (e.status !== 400) return undefined;
  if (e.code === 'INVALID_CRON') return 'cron';
  if (e.code === 'INVALID_TIMEZONE') return 'timeZone';
  const f = e.field;
  if (!f) return undefined;
  const filter = /^filters\.([^.[]+)/.exec(f)?.[1];
  if (filter) {
    if (periodFields.includes(filter)) return 'period';
    return fields.some((x) => x.name === filter) ? filter : undefined;
  }
  return ['name', 'cron', 'timeZone', 'format', 'columns', 'locale'].includes(f) ? f : undefined;
}

function ScheduleModal({
  schedule,
  onClose,
}: {
  schedule: ExportSchedule | null;
  onClose: (saved: boolean) => void;
}) {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const choices = useExportables();
  const [form] = Form.useForm<Values>();
  const [code, setCode] = useState<string | undefined>(schedule?.bizType);
  const chosen: Exportable | undefined = choices?.find((c) => c.type.code === code);
  const fields = useMemo(() => (chosen ? buildFilterFields(chosen.type, lang) : []), [chosen, lang]);
  const range = useMemo(() => dateRangeFields(fields), [fields]);
  const period = Form.useWatch('period', form) ?? NO_PERIOD;
  const cron = Form.useWatch('cron', form) ?? schedule?.cron ?? '';
  const zone = Form.useWatch('timeZone', form) ?? schedule?.timeZone ?? '';
  const runs = useMemo(() => nextRuns(cron, zone || null, 3, new Date()), [cron, zone]);
  const words = describeCron(cron);
  // The range's own pickers give way to a period (the period fills those filters).
  const periodFields =
    period === NO_PERIOD || !range ? [] : [range.from, range.to].filter((x): x is string => !!x);

  // Editing: once the biz type's fields are known, the stored schedule fills the form.
  const [filled, setFilled] = useState(false);
  useEffect(() => {
    if (!schedule || !chosen || filled) return;
    form.setFieldsValue({
      ...formValuesOf(fields, schedule.filters, schedule.timeZone, (w) =>
        dayjs(new Date(w.year, w.month, w.date, w.hour, w.minute, w.second)),
      ),
      name: schedule.name,
      cron: schedule.cron,
      timeZone: schedule.timeZone,
      locale: (schedule.locale ?? lang) as Lang,
      format: schedule.format,
      columns: schedule.columns ?? chosen.columns.columns.filter((x) => x.available).map((x) => x.key),
      period: periodOf(schedule.filters, range) ?? NO_PERIOD,
    });
    setFilled(true);
  }, [schedule, chosen, fields, range, filled, form, lang]);

  const pick = (next: string) => {
    setCode(next);
    const c = choices?.find((x) => x.type.code === next);
    const name = form.getFieldValue('name') as string | undefined;
    const rule = form.getFieldValue('cron') as string | undefined;
    form.resetFields();
    form.setFieldsValue({
      ...freshValues(c, lang),
      name: name || c?.type.name,
      cron: rule || CRON_PRESETS[0].cron,
      period: NO_PERIOD,
    });
  };

  const save = async (v: Values) => {
    if (!chosen) {
      notify.error(new Error(t('schedules.pickBizType')));
      return;
    }
    let filters = toFilters(fields, v, v.timeZone);
    if (range && v.period === 'custom' && schedule) {
      // Relative values no preset has (written through the API) stay as they were.
      for (const f of [range.from, range.to])
        if (f && schedule.filters[f] !== undefined) filters[f] = schedule.filters[f];
    } else if (range && v.period !== NO_PERIOD && v.period !== 'custom') {
      filters = withPeriod(filters, range, v.period);
    }
    const body: ScheduleFields = {
      name: v.name,
      bizType: chosen.type.code,
      format: v.format,
      filters,
      columns: requestedColumns(chosen.columns, v.columns ?? []) ?? null,
      cron: v.cron,
      timeZone: v.timeZone,
      locale: v.locale,
      enabled: schedule?.enabled ?? true,
    };
    if (schedule) {
      const { bizType: _same, enabled: _kept, ...change } = body;
      await exportSchedules.update(schedule.id, change);
      notify.success(t('schedules.saved'));
    } else {
      await exportSchedules.create(body);
      notify.success(t('schedules.created'));
    }
    onClose(true);
  };

  const title = schedule ? t('schedules.editOf', { name: schedule.name }) : t('schedules.newTitle');
  return (
    <FormModal<Values>
      form={form}
      width={820}
      title={title}
      onSubmit={save}
      fieldOf={(e) => fieldOfError(e, fields, periodFields)}
      onCancel={() => onClose(false)}
      initialValues={{ cron: CRON_PRESETS[0].cron, period: NO_PERIOD }}
    >
      {choices === null ? (
        <Spin />
      ) : (
        <>
          <BizTypeSelect choices={choices} value={code} onChange={pick} disabled={!!schedule} />
          <Form.Item name="name" label={t('schedules.name')} rules={[{ required: true, max: 100 }]}>
            <Input maxLength={100} />
          </Form.Item>
        </>
      )}
      {chosen ? (
        <>
          <Form.Item
            name="cron"
            label={t('schedules.cron')}
            extra={t('schedules.cronHelp')}
            rules={[{ required: true }]}
          >
            <Input style={{ fontFamily: 'monospace' }} />
          </Form.Item>
          <Space wrap style={{ marginBottom: 12 }} aria-label={t('schedules.presets')} role="group">
            {CRON_PRESETS.map((p) => (
              <Button key={p.id} size="small" onClick={() => form.setFieldsValue({ cron: p.cron })}>
                {t(`schedules.preset.${p.id}`)}
              </Button>
            ))}
          </Space>
          <div aria-live="polite" style={{ marginBottom: 16 }}>
            {runs.ok ? (
              <Alert
                type="info"
                showIcon
                message={words ? `${t(words.key, words.values)} (${zone})` : t('admin.jobs.nextRuns')}
                description={
                  <>
                    <Typography.Text type="secondary">{t('schedules.nextRunsZone')}</Typography.Text>{' '}
                    {runs.runs.map((d) => dayjs(d).format('YYYY-MM-DD HH:mm')).join(', ')}
                  </>
                }
              />
            ) : (
              <Alert type="warning" showIcon message={t('schedules.badCron')} description={runs.message} />
            )}
          </div>
          <ZoneAndLocale chosen={chosen} zoneHelp={t('schedules.zoneHelp')} />
          {range ? (
            <>
              <Divider />
              <Form.Item name="period" label={t('schedules.period')} extra={t('schedules.periodHelp')}>
                <Select
                  options={[
                    { value: NO_PERIOD, label: t('schedules.period.none') },
                    ...PERIOD_PRESETS.map((p) => ({ value: p.id, label: t(`schedules.period.${p.id}`) })),
                    ...(schedule && periodOf(schedule.filters, range) === 'custom'
                      ? [{ value: 'custom', label: t('schedules.period.custom') }]
                      : []),
                  ]}
                />
              </Form.Item>
            </>
          ) : null}
          <FilterGrid fields={fields} disabledFields={periodFields} />
          <ColumnsAndFormat chosen={chosen} />
        </>
      ) : null}
    </FormModal>
  );
}
