import { useState } from 'react';
import { Button, Descriptions, Drawer, Dropdown, Space, Table, Tag, Typography } from 'antd';
import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import { PageTitle } from '../../components/PageTitle';
import { useI18n } from '../../i18n/I18nProvider';
import type { BizTypeView, Kind } from '../../lib/admin/biz-type-form';
import { useBizTypes } from './shared/useAdminData';
import { BizTypeEditor } from './biz-types/BizTypeEditor';

type Open =
  | { mode: 'view'; bizType: BizTypeView }
  | { mode: 'edit'; bizType: BizTypeView }
  | { mode: 'new'; kind: Kind };

/** Biz types: the list, a read-only view, and the editor for EXPORT and FILE types. */
export default function BizTypesPage() {
  const { t, formatDate } = useI18n();
  const list = useBizTypes();
  const [open, setOpen] = useState<Open | null>(null);

  return (
    <>
      <PageTitle
        extra={
          <Dropdown
            menu={{
              items: [
                { key: 'EXPORT', label: t('admin.biz.newExport') },
                { key: 'FILE', label: t('admin.biz.newFile') },
              ],
              onClick: ({ key }) => setOpen({ mode: 'new', kind: key as Kind }),
            }}
          >
            <Button type="primary" icon={<PlusOutlined />}>
              <Space>
                {t('admin.biz.new')}
                <DownOutlined />
              </Space>
            </Button>
          </Dropdown>
        }
      >
        {t('nav.bizTypes')}
      </PageTitle>
      <Table<BizTypeView>
        rowKey="code"
        loading={list.loading}
        dataSource={list.data}
        pagination={false}
        columns={[
          {
            title: t('admin.biz.code'),
            dataIndex: 'code',
            render: (v: string) => <Typography.Text code>{v}</Typography.Text>,
          },
          { title: t('admin.biz.name'), dataIndex: 'name' },
          {
            title: t('admin.biz.kind'),
            dataIndex: 'kind',
            render: (v: Kind) => (
              <Tag color={v === 'EXPORT' ? 'blue' : 'purple'}>{t(`admin.biz.kind.${v}`)}</Tag>
            ),
          },
          {
            title: t('admin.biz.columnsCount'),
            key: 'cols',
            render: (_, b) => (b.kind === 'EXPORT' ? (b.columns?.length ?? 0) : t('common.none')),
          },
          { title: t('admin.biz.version'), dataIndex: 'version' },
          { title: t('admin.biz.updatedAt'), dataIndex: 'updatedAt', render: (v?: string) => formatDate(v) },
          {
            title: t('common.actions'),
            key: 'ops',
            render: (_, b) => (
              <Space>
                <Button
                  size="small"
                  aria-label={t('admin.biz.viewOf', { code: b.code })}
                  onClick={() => setOpen({ mode: 'view', bizType: b })}
                >
                  {t('admin.view')}
                </Button>
                <Button
                  size="small"
                  aria-label={t('admin.biz.editOf', { code: b.code })}
                  onClick={() => setOpen({ mode: 'edit', bizType: b })}
                >
                  {t('admin.edit')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Drawer
        open={open?.mode === 'view'}
        onClose={() => setOpen(null)}
        width={820}
        title={open?.mode === 'view' ? `${open.bizType.name} (${open.bizType.code})` : ''}
        extra={
          open?.mode === 'view' ? (
            <Button type="primary" onClick={() => setOpen({ mode: 'edit', bizType: open.bizType })}>
              {t('admin.edit')}
            </Button>
          ) : null
        }
      >
        {open?.mode === 'view' ? <BizTypeDetails b={open.bizType} /> : null}
      </Drawer>
      {open && open.mode !== 'view' ? (
        <BizTypeEditor
          original={open.mode === 'edit' ? open.bizType : undefined}
          kind={open.mode === 'new' ? open.kind : open.bizType.kind}
          existing={list.data.map((b) => b.code)}
          onClose={(saved) => {
            setOpen(null);
            if (saved) list.reload();
          }}
        />
      ) : null}
    </>
  );
}

function BizTypeDetails({ b }: { b: BizTypeView }) {
  const { t, formatDate } = useI18n();
  const rules = b.rules ?? {};
  return (
    <>
      <Descriptions column={2} bordered size="small">
        <Descriptions.Item label={t('admin.biz.kind')}>{t(`admin.biz.kind.${b.kind}`)}</Descriptions.Item>
        <Descriptions.Item label={t('admin.biz.version')}>{b.version}</Descriptions.Item>
        <Descriptions.Item label={t('admin.biz.updatedAt')} span={2}>
          {formatDate(b.updatedAt)}
        </Descriptions.Item>
        {b.dataHandler ? (
          <Descriptions.Item label={t('admin.biz.dataHandler')} span={2}>
            <Typography.Text code>{handlerSummary(b.dataHandler)}</Typography.Text>
          </Descriptions.Item>
        ) : null}
        {Object.entries(rules).map(([k, v]) => (
          <Descriptions.Item key={k} label={k}>
            {ruleText(v)}
          </Descriptions.Item>
        ))}
      </Descriptions>
      {b.dataHandler?.filters && Object.keys(b.dataHandler.filters).length ? (
        <>
          <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>
            {t('admin.biz.filters')}
          </Typography.Title>
          <Table
            size="small"
            pagination={false}
            rowKey="name"
            dataSource={Object.entries(b.dataHandler.filters).map(([name, f]) => ({ name, ...f }))}
            columns={[
              { title: t('admin.biz.filterName'), dataIndex: 'name' },
              { title: t('admin.biz.filterColumn'), dataIndex: 'column' },
              { title: t('admin.biz.filterOp'), dataIndex: 'op' },
              { title: t('admin.biz.filterType'), dataIndex: 'type' },
            ]}
          />
        </>
      ) : null}
      {b.columns ? (
        <>
          <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>
            {t('admin.biz.columns')}
          </Typography.Title>
          <Table
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={b.columns}
            columns={[
              { title: t('admin.biz.colKey'), dataIndex: 'key' },
              { title: t('admin.biz.colHeader'), dataIndex: 'header' },
              { title: t('admin.biz.colType'), dataIndex: 'type' },
              { title: t('admin.biz.colFormat'), dataIndex: 'format' },
              {
                title: t('admin.biz.colDict'),
                dataIndex: 'dict',
                render: (d?: Record<string, string>) =>
                  d
                    ? Object.entries(d)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(', ')
                    : '',
              },
              { title: t('admin.biz.colMask'), dataIndex: 'mask' },
              {
                title: t('admin.biz.colRestricted'),
                dataIndex: 'restricted',
                render: (v?: boolean) => (v ? <Tag color="orange">{t('common.yes')}</Tag> : null),
              },
            ]}
          />
        </>
      ) : null}
    </>
  );
}

/** A rule's value as text: objects and lists as JSON, the rest as they are. */
function ruleText(v: unknown): string {
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? '';
}

function handlerSummary(h: NonNullable<BizTypeView['dataHandler']>): string {
  if (h.type === 'sql') return `sql ${String(h.source)}.${String(h.table)} (key ${String(h.key)})`;
  if (h.type === 'action') return `action ${String(h.action)}`;
  return h.type;
}
