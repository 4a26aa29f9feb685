import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  AutoComplete,
  Button,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { PageTitle } from '../../components/PageTitle';
import { useNotify } from '../../components/useNotify';
import { useI18n } from '../../i18n/I18nProvider';
import { useSession } from '../../auth/AuthProvider';
import { ApiError } from '../../api/errors';
import { directory, logs, type ChainCheck, type LogEntry, type User } from '../../api/admin';
import { KNOWN_ACTIONS, chainVerdict, logParams, type LogParams } from '../../lib/admin/log-query';
import { useBizTypes } from './shared/useAdminData';
import { setFieldError } from './shared/fieldError';

interface Filters {
  userId?: string;
  action?: string;
  targetId?: string;
  bizType?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
  q?: string;
}

/** The operation log (ADMIN, AUDITOR): search, newest first, cursor paging, detail, chain check. */
export default function OperationLogsPage() {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const showError = notify.error;
  const { me } = useSession();
  const isAdmin = me?.roles.includes('ADMIN') ?? false;
  const bizTypes = useBizTypes();
  const [form] = Form.useForm<Filters>();
  const [users, setUsers] = useState<User[]>([]);
  const [items, setItems] = useState<LogEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [params, setParams] = useState<LogParams>({});
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<LogEntry | null>(null);
  const [chain, setChain] = useState<ChainCheck | null>(null);
  const [verifying, setVerifying] = useState(false);

  // Names for user ids: only an admin may list users; an auditor searches by id.
  useEffect(() => {
    if (isAdmin) directory.allUsers().then(setUsers, () => undefined);
  }, [isAdmin]);
  const userName = useMemo(() => new Map(users.map((u) => [u.id, u.username])), [users]);

  const load = useCallback(
    async (p: LogParams, cursor: string | null) => {
      setLoading(true);
      try {
        const page = await logs.search({ ...p, limit: 50, cursor: cursor ?? undefined });
        setItems((before) => (cursor ? [...before, ...page.items] : page.items));
        setNext(page.nextCursor);
        setParams(p);
      } catch (e) {
        if (e instanceof ApiError && e.status === 400 && e.field) {
          const name = e.field === 'from' || e.field === 'to' ? 'range' : e.field;
          setFieldError(form, name, e.message);
        } else showError(e);
      } finally {
        setLoading(false);
      }
    },
    [form, showError],
  );

  useEffect(() => {
    void load({}, null);
  }, [load]);

  const search = (v: Filters) =>
    load(
      logParams({
        ...v,
        from: v.range?.[0]?.toDate() ?? null,
        to: v.range?.[1]?.toDate() ?? null,
      }),
      null,
    );

  const verify = async () => {
    setVerifying(true);
    setChain(null);
    try {
      setChain(await logs.verify());
    } catch (e) {
      notify.error(e);
    } finally {
      setVerifying(false);
    }
  };
  const verdict = chain ? chainVerdict(chain) : null;

  return (
    <>
      <PageTitle
        extra={
          <Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={verify}>
            {t('admin.logs.verify')}
          </Button>
        }
      >
        {t('nav.logs')}
      </PageTitle>
      {verdict ? (
        <Alert
          role="status"
          type={verdict.type}
          showIcon
          closable
          onClose={() => setChain(null)}
          style={{ marginBottom: 16 }}
          message={t(verdict.key, verdict.values)}
        />
      ) : null}
      <Form form={form} layout="inline" onFinish={search} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item name="userId" label={t('admin.logs.user')}>
          <AutoComplete
            style={{ width: 180 }}
            allowClear
            options={users.map((u) => ({ value: u.id, label: `${u.username} (${u.id})` }))}
            filterOption={(input, o) =>
              String(o?.label ?? '')
                .toLowerCase()
                .includes(input.toLowerCase())
            }
          />
        </Form.Item>
        <Form.Item name="action" label={t('admin.logs.action')}>
          <AutoComplete
            style={{ width: 220 }}
            allowClear
            options={KNOWN_ACTIONS.map((a) => ({ value: a }))}
            filterOption={(input, o) => String(o?.value ?? '').includes(input.toUpperCase())}
          />
        </Form.Item>
        <Form.Item name="targetId" label={t('admin.logs.target')}>
          <Input style={{ width: 160 }} allowClear />
        </Form.Item>
        <Form.Item name="bizType" label={t('admin.bizType')}>
          <Select
            style={{ width: 180 }}
            allowClear
            showSearch
            options={bizTypes.data.map((b) => ({ value: b.code, label: b.code }))}
          />
        </Form.Item>
        <Form.Item name="range" label={t('admin.logs.time')}>
          <DatePicker.RangePicker showTime allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item name="q" label={t('admin.logs.text')}>
          <Input style={{ width: 180 }} allowClear />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                void load({}, null);
              }}
            >
              {t('common.reset')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <Table<LogEntry>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={false}
        columns={[
          { title: t('admin.logs.at'), dataIndex: 'at', render: (v: string) => formatDate(v), width: 190 },
          {
            title: t('admin.logs.user'),
            dataIndex: 'userId',
            render: (v: string | null) => (v ? (userName.get(v) ?? v) : t('common.none')),
          },
          { title: t('admin.logs.action'), dataIndex: 'action', render: (v: string) => <Tag>{v}</Tag> },
          {
            title: t('admin.logs.target'),
            key: 'target',
            render: (_, e) => (e.targetId ? `${e.targetType ?? ''} ${e.targetId}`.trim() : t('common.none')),
          },
          {
            title: t('admin.bizType'),
            dataIndex: 'bizType',
            render: (v: string | null) => v ?? t('common.none'),
          },
          {
            title: t('admin.logs.outcome'),
            dataIndex: 'outcome',
            render: (v: string | null) => v ?? t('common.none'),
          },
          {
            title: t('common.actions'),
            key: 'ops',
            render: (_, e) => (
              <Button
                size="small"
                onClick={() => setOpen(e)}
                aria-label={t('admin.logs.detailOf', { action: e.action, at: formatDate(e.at) })}
              >
                {t('common.details')}
              </Button>
            ),
          },
        ]}
      />
      <div style={{ textAlign: 'center', marginTop: 16 }}>
        {next ? (
          <Button onClick={() => load(params, next)} loading={loading}>
            {t('common.more')}
          </Button>
        ) : (
          <Typography.Text type="secondary">{t('admin.logs.end', { count: items.length })}</Typography.Text>
        )}
      </div>
      <Drawer
        open={open !== null}
        onClose={() => setOpen(null)}
        width={560}
        title={open ? `${open.action} · ${formatDate(open.at)}` : ''}
      >
        {open ? (
          <>
            <Descriptions column={1} bordered size="small">
              <Descriptions.Item label={t('admin.logs.id')}>{open.id}</Descriptions.Item>
              <Descriptions.Item label={t('admin.logs.at')}>{formatDate(open.at)}</Descriptions.Item>
              <Descriptions.Item label={t('admin.logs.user')}>
                {open.userId ? `${userName.get(open.userId) ?? ''} ${open.userId}`.trim() : t('common.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('admin.logs.action')}>{open.action}</Descriptions.Item>
              <Descriptions.Item label={t('admin.logs.target')}>
                {`${open.targetType ?? ''} ${open.targetId ?? ''}`.trim() || t('common.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('admin.bizType')}>
                {open.bizType ?? t('common.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('admin.logs.outcome')}>
                {open.outcome ?? t('common.none')}
              </Descriptions.Item>
              <Descriptions.Item label={t('admin.logs.requestId')}>
                {open.requestId ?? t('common.none')}
              </Descriptions.Item>
            </Descriptions>
            <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>
              {t('admin.logs.detail')}
            </Typography.Title>
            <pre
              style={{ background: 'rgba(0,0,0,0.04)', padding: 12, borderRadius: 6, whiteSpace: 'pre-wrap' }}
            >
              {JSON.stringify(open.detail, null, 2)}
            </pre>
          </>
        ) : null}
      </Drawer>
    </>
  );
}
