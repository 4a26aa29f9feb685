import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  DatePicker,
  Empty,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { Link, useSearchParams } from 'react-router-dom';
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { bizTypes, exportsApi, fileTasks, type FileTaskQuery } from '../api/resources';
import { followTaskEvents } from '../api/events';
import { FILE_TASK_STATUSES, type BizType, type FileTask } from '../api/types';
import { PageTitle } from '../components/PageTitle';
import { useNotify } from '../components/useNotify';
import { useI18n } from '../i18n/I18nProvider';
import { formatBytes, isUnderWay, middleCut, RUNNING_STATUSES } from '../lib/format';
import { readProgress } from '../lib/sse';
import { StatusBadge } from './files/StatusBadge';
import { TaskDrawer } from './files/TaskDrawer';

interface FilterFields {
  kind?: 'FILE' | 'EXPORT';
  bizType?: string;
  status?: string;
  created?: [Dayjs | null, Dayjs | null] | null;
  q?: string;
}

const PAGE = 20;

/** The form's values as the list route's query (dates as ISO instants of the person's zone). */
function toQuery(f: FilterFields): FileTaskQuery {
  return {
    kind: f.kind,
    bizType: f.bizType,
    status: f.status,
    from: f.created?.[0]?.startOf('day').toISOString(),
    to: f.created?.[1]?.endOf('day').toISOString(),
    q: f.q?.trim() || undefined,
    limit: PAGE,
  };
}

/**
 * A name cut in the middle when it does not fit: the head shrinks behind an ellipsis, the tail
 * (`middleCut`) always shows. CSS does the measuring, so the cut follows the column's width.
 */
function MiddleEllipsis({ text }: { text: string }) {
  const [head, tail] = middleCut(text);
  return (
    <span style={{ display: 'flex', minWidth: 0, maxWidth: '100%', whiteSpace: 'nowrap' }}>
      <span style={{ overflow: 'hidden', textOverflow: 'ellipsis', minWidth: 0 }}>{head}</span>
      <span style={{ flex: 'none' }}>{tail}</span>
    </span>
  );
}

/** Starts the browser's download of a signed link (a fresh link per click; it expires in minutes). */
function downloadFrom(url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export default function FilesPage() {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<FilterFields>();
  const [query, setQuery] = useState<FileTaskQuery>({ limit: PAGE });
  const [items, setItems] = useState<FileTask[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [types, setTypes] = useState<BizType[]>([]);
  const [openId, setOpenId] = useState<string | null>(null);
  // `?task=<id>` (a link from elsewhere, e.g. a schedule's "Run now") opens that task's details;
  // it may be older than the first page, so it is read on its own.
  const [params, setParams] = useSearchParams();
  const linkedId = params.get('task');
  const [linked, setLinked] = useState<FileTask | null>(null);
  const generation = useRef(0);

  useEffect(() => {
    if (!linkedId) return;
    setOpenId(linkedId);
    fileTasks.get(linkedId).then(setLinked).catch(notify.error);
  }, [linkedId, notify]);

  useEffect(() => {
    bizTypes
      .list()
      .then((p) => setTypes(p.items))
      .catch(notify.error);
  }, [notify]);

  const load = useCallback(
    async (q: FileTaskQuery, after?: string) => {
      const gen = ++generation.current;
      setLoading(true);
      try {
        const page = await fileTasks.list({ ...q, cursor: after });
        if (gen !== generation.current) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (e) {
        notify.error(e);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [notify],
  );

  useEffect(() => {
    void load(query);
  }, [load, query]);

  const replace = useCallback((task: FileTask) => {
    setItems((prev) => prev.map((x) => (x.id === task.id ? task : x)));
  }, []);

  // Live progress: one event stream per export still under way (a FAILED one with a retry to come
  // included: the server keeps its stream open); the record is read again at its end.
  const running = useMemo(
    () =>
      items
        .filter(isUnderWay)
        .map((x) => x.id)
        .sort()
        .join(','),
    [items],
  );
  useEffect(() => {
    if (!running) return;
    const ctl = new AbortController();
    for (const id of running.split(',')) {
      followTaskEvents(
        id,
        (data) => {
          const p = readProgress(data);
          if (!p) return;
          setItems((prev) =>
            prev.map((x) =>
              x.id === id && x.export
                ? {
                    ...x,
                    status: p.status as FileTask['status'],
                    export: {
                      ...x.export,
                      willRetry: p.willRetry,
                      progress: {
                        rows: p.rows ?? x.export.progress.rows,
                        total: p.total ?? x.export.progress.total,
                      },
                    },
                  }
                : x,
            ),
          );
        },
        ctl.signal,
      )
        .then(() => (ctl.signal.aborted ? undefined : fileTasks.get(id).then(replace)))
        .catch(() => undefined);
    }
    return () => ctl.abort();
  }, [running, replace]);

  const act = async (fn: () => Promise<FileTask | void>, done: string) => {
    try {
      const task = await fn();
      if (task) replace(task);
      notify.success(done);
    } catch (e) {
      notify.error(e);
    }
  };

  const download = async (task: FileTask) => {
    try {
      const { url } = await fileTasks.downloadUrl(task.id);
      downloadFrom(url);
    } catch (e) {
      notify.error(e);
    }
  };

  const remove = async (task: FileTask) => {
    try {
      await fileTasks.remove(task.id);
      setItems((prev) => prev.filter((x) => x.id !== task.id));
      notify.success(t('files.deleted'));
    } catch (e) {
      notify.error(e);
    }
  };

  const open = items.find((x) => x.id === openId) ?? (linked?.id === openId ? linked : null);
  const close = () => {
    setOpenId(null);
    if (linkedId) setParams({}, { replace: true });
  };
  const typeNames = useMemo(() => new Map(types.map((b) => [b.code, b.name])), [types]);
  const filtered = Object.entries(query).some(([k, v]) => k !== 'limit' && v !== undefined);
  const reset = () => {
    form.resetFields();
    setQuery({ limit: PAGE });
  };
  // Nothing at all yet: say where files come from. Nothing matching: say so, and offer the reset.
  const empty = filtered ? (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('files.noMatch')}>
      <Button onClick={reset}>{t('common.reset')}</Button>
    </Empty>
  ) : (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('files.empty')}>
      <Space wrap style={{ justifyContent: 'center' }}>
        <Link to="/exports/new">{t('nav.newExport')}</Link>
        <Link to="/upload">{t('nav.upload')}</Link>
      </Space>
    </Empty>
  );

  return (
    <>
      <PageTitle
        extra={
          <Button icon={<ReloadOutlined />} onClick={() => void load(query)}>
            {t('common.refresh')}
          </Button>
        }
      >
        {t('files.title')}
      </PageTitle>
      <Form<FilterFields>
        form={form}
        layout="inline"
        onFinish={(v) => setQuery(toQuery(v))}
        style={{ marginBottom: 16, rowGap: 8 }}
        aria-label={t('common.search')}
      >
        <Form.Item name="kind" label={t('files.filter.kind')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 120 }}
            placeholder={t('common.any')}
            options={(['EXPORT', 'FILE'] as const).map((k) => ({ value: k, label: t(`kind.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="bizType" label={t('files.filter.bizType')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 200 }}
            placeholder={t('common.any')}
            options={types.map((b) => ({ value: b.code, label: `${b.name} (${b.code})` }))}
          />
        </Form.Item>
        <Form.Item name="status" label={t('files.filter.status')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 130 }}
            placeholder={t('common.any')}
            options={FILE_TASK_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
        </Form.Item>
        <Form.Item name="created" label={t('files.filter.created')} style={{ maxWidth: '100%' }}>
          <DatePicker.RangePicker allowEmpty={[true, true]} style={{ maxWidth: '100%' }} />
        </Form.Item>
        <Form.Item name="q" label={t('files.filter.q')}>
          <Input allowClear style={{ width: 160 }} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              {t('common.search')}
            </Button>
            <Button onClick={reset}>{t('common.reset')}</Button>
          </Space>
        </Form.Item>
      </Form>
      <Table<FileTask>
        rowKey="id"
        loading={loading}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: loading ? ' ' : empty }}
        scroll={{ x: 960 }}
        columns={[
          {
            title: t('files.col.name'),
            dataIndex: 'name',
            // Export names end in what tells them apart (a date, a time): cut in the middle, so the
            // end stays visible; the whole name in the tooltip and the details drawer.
            render: (name: string, task) => (
              <>
                <Tooltip title={name} placement="topLeft">
                  <Button
                    type="link"
                    style={{ padding: 0, height: 'auto', maxWidth: '100%', display: 'flex' }}
                    onClick={() => setOpenId(task.id)}
                    aria-label={`${t('common.details')}: ${name}`}
                  >
                    <MiddleEllipsis text={name} />
                  </Button>
                </Tooltip>
                {task.file ? (
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {formatBytes(task.file.size)}
                  </Typography.Text>
                ) : null}
              </>
            ),
          },
          {
            title: t('files.col.kind'),
            dataIndex: 'kind',
            width: 80,
            render: (k: FileTask['kind']) => (
              <Tag color={k === 'EXPORT' ? 'blue' : 'green'}>{t(`kind.${k}`)}</Tag>
            ),
          },
          {
            title: t('files.col.bizType'),
            dataIndex: 'bizType',
            width: 120,
            ellipsis: { showTitle: false },
            // The name people gave the biz type; its code (what the API filters by) on hover.
            render: (code: string) => (
              <Tooltip title={code} placement="topLeft">
                <span>{typeNames.get(code) ?? code}</span>
              </Tooltip>
            ),
          },
          {
            title: t('files.col.status'),
            dataIndex: 'status',
            width: 150,
            render: (_: unknown, task) => <StatusBadge task={task} />,
          },
          {
            title: t('files.col.created'),
            dataIndex: 'createdAt',
            width: 200,
            // One line: a wrapped date doubled every row's height.
            render: (iso: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(iso)}</span>,
          },
          {
            title: t('common.actions'),
            // The name takes the room the others leave; actions wrap (at most two buttons).
            width: 150,
            render: (_: unknown, task) => (
              <Space size="small" wrap>
                {task.status === 'SUCCESS' ? (
                  <Button size="small" icon={<DownloadOutlined />} onClick={() => void download(task)}>
                    {t('files.download')}
                  </Button>
                ) : null}
                {task.kind === 'EXPORT' && RUNNING_STATUSES.has(task.status) ? (
                  <Button
                    size="small"
                    danger
                    onClick={() => void act(() => exportsApi.cancel(task.id), t('files.cancelled'))}
                  >
                    {t('files.cancel')}
                  </Button>
                ) : null}
                {task.kind === 'EXPORT' && task.status === 'FAILED' ? (
                  <Button
                    size="small"
                    onClick={() => void act(() => exportsApi.retry(task.id), t('files.retried'))}
                  >
                    {t('files.retry')}
                  </Button>
                ) : null}
                {task.kind === 'FILE' ? (
                  <Popconfirm title={t('files.deleteConfirm')} onConfirm={() => void remove(task)}>
                    <Button size="small" type="text" danger>
                      {t('files.delete')}
                    </Button>
                  </Popconfirm>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      {cursor ? (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={() => void load(query, cursor)} loading={loading}>
            {t('common.more')}
          </Button>
        </div>
      ) : null}
      <TaskDrawer task={open} onClose={close} />
    </>
  );
}
