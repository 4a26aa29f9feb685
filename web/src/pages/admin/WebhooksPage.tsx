import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  Checkbox,
  Drawer,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { DeleteOutlined, HistoryOutlined } from '@ant-design/icons';
import { useNotify } from '../../components/useNotify';
import { useI18n } from '../../i18n/I18nProvider';
import { WEBHOOK_EVENTS, webhooks, type Webhook, type WebhookDelivery } from '../../api/integration';
import { useBizTypes, useLoaded } from './shared/useAdminData';
import { FormModal } from './shared/FormModal';
import { AdminList, useChange } from './shared/AdminList';
import { SecretOnce } from './shared/SecretOnce';

interface Values {
  url: string;
  events: string[];
  bizTypes?: string[];
}

const EMPTY: Webhook[] = [];
const DELIVERY_COLORS = { PENDING: 'processing', DELIVERED: 'success', FAILED: 'error' } as const;

/** Webhooks (API.md v1.1): created with a secret shown once, listed, deleted; each one's deliveries. */
export default function WebhooksPage() {
  const { t, formatDate } = useI18n();
  const list = useLoaded(async () => (await webhooks.list()).items, EMPTY);
  const bizTypes = useBizTypes();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [watching, setWatching] = useState<Webhook | null>(null);

  const create = async (v: Values) => {
    const made = await webhooks.create({
      url: v.url.trim(),
      events: v.events,
      bizTypes: v.bizTypes?.length ? v.bizTypes : undefined,
    });
    setCreating(false);
    setSecret(made.secret);
    list.reload();
  };

  const change = useChange(list.reload);
  const remove = (w: Webhook) => change(() => webhooks.remove(w.id), t('admin.hook.deleted'));

  return (
    <>
      <AdminList<Webhook>
        title={t('nav.webhooks')}
        newLabel={t('admin.hook.new')}
        onNew={() => setCreating(true)}
        intro={t('admin.hook.intro')}
        list={list}
        emptyText={t('admin.hook.empty')}
        columns={[
          {
            title: t('admin.hook.url'),
            dataIndex: 'url',
            render: (u: string) => <Typography.Text code>{u}</Typography.Text>,
          },
          {
            title: t('admin.hook.events'),
            dataIndex: 'events',
            render: (es: string[]) => es.map((e) => <Tag key={e}>{e}</Tag>),
          },
          {
            title: t('admin.hook.bizTypes'),
            dataIndex: 'bizTypes',
            render: (bs: string[]) =>
              bs.length ? bs.map((b) => <Tag key={b}>{b}</Tag>) : t('admin.hook.allBizTypes'),
          },
          { title: t('admin.hook.created'), dataIndex: 'createdAt', render: (v: string) => formatDate(v) },
          {
            title: t('common.actions'),
            render: (_: unknown, w) => (
              <Space size="small">
                <Button size="small" icon={<HistoryOutlined />} onClick={() => setWatching(w)}>
                  {t('admin.hook.deliveries')}
                </Button>
                <Popconfirm
                  title={t('admin.hook.deleteConfirm')}
                  okText={t('admin.hook.delete')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() => void remove(w)}
                >
                  <Button
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    aria-label={t('admin.hook.deleteOf', { url: w.url })}
                  />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {creating ? (
        <FormModal<Values>
          title={t('admin.hook.new')}
          width={600}
          onSubmit={create}
          onCancel={() => setCreating(false)}
          initialValues={{ events: ['exports.succeeded', 'exports.failed'], bizTypes: [] }}
        >
          <Form.Item
            name="url"
            label={t('admin.hook.url')}
            extra={t('admin.hook.urlHelp')}
            rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
          >
            <Input maxLength={2048} placeholder="https://erp.example.com/hooks/ftc" autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="events"
            label={t('admin.hook.events')}
            rules={[{ required: true, type: 'array', min: 1, message: t('admin.required') }]}
          >
            <Checkbox.Group options={WEBHOOK_EVENTS.map((e) => ({ value: e, label: e }))} />
          </Form.Item>
          <Form.Item name="bizTypes" label={t('admin.hook.bizTypes')} extra={t('admin.hook.bizTypesHelp')}>
            <Select
              mode="multiple"
              optionFilterProp="label"
              options={bizTypes.data.map((b) => ({ value: b.code, label: `${b.name} (${b.code})` }))}
            />
          </Form.Item>
        </FormModal>
      ) : null}
      {secret ? (
        <SecretOnce
          title={t('admin.hook.secretTitle')}
          label={t('admin.hook.secret')}
          value={secret}
          onClose={() => setSecret(null)}
        />
      ) : null}
      {watching ? <Deliveries webhook={watching} onClose={() => setWatching(null)} /> : null}
    </>
  );
}

/** One webhook's deliveries, newest first, a page at a time. */
function Deliveries({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const [items, setItems] = useState<WebhookDelivery[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(
    async (after?: string) => {
      setLoading(true);
      try {
        const page = await webhooks.deliveries(webhook.id, after);
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (e) {
        notify.error(e);
      } finally {
        setLoading(false);
      }
    },
    [webhook.id, notify],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Drawer
      open
      width="min(960px, 100vw)"
      title={t('admin.hook.deliveriesOf', { url: webhook.url })}
      onClose={onClose}
      extra={<Button onClick={() => void load()}>{t('common.refresh')}</Button>}
    >
      <Table<WebhookDelivery>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('admin.hook.noDeliveries') }}
        columns={[
          { title: t('admin.hook.event'), dataIndex: 'event' },
          {
            title: t('admin.hook.status'),
            dataIndex: 'status',
            render: (s: WebhookDelivery['status']) => (
              <Tag color={DELIVERY_COLORS[s] ?? 'default'}>
                {t(`admin.hook.status.${s}` as 'admin.hook.status.PENDING')}
              </Tag>
            ),
          },
          { title: t('admin.hook.attempts'), dataIndex: 'attempts' },
          {
            title: t('admin.hook.lastStatusCode'),
            dataIndex: 'lastStatusCode',
            render: (c: number | null) => c ?? t('common.none'),
          },
          {
            title: t('admin.hook.lastError'),
            dataIndex: 'lastError',
            render: (e: string | null | undefined) => e ?? t('common.none'),
          },
          {
            title: t('admin.hook.nextAttemptAt'),
            dataIndex: 'nextAttemptAt',
            render: (v: string | null) => formatDate(v),
          },
          { title: t('admin.hook.created'), dataIndex: 'createdAt', render: (v?: string) => formatDate(v) },
        ]}
      />
      {cursor ? (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={() => void load(cursor)} loading={loading}>
            {t('common.more')}
          </Button>
        </div>
      ) : null}
    </Drawer>
  );
}
