import { Descriptions, Drawer, Table, Tag, Typography } from 'antd';
import type { ExportManifest, FileTask } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';
import { formatBytes } from '../../lib/format';
import { StatusBadge } from './StatusBadge';

/** A task's details; for a finished export of one's own, its manifest (columns, masking, rows, sha256). */
export function TaskDrawer({ task, onClose }: { task: FileTask | null; onClose: () => void }) {
  const { t, formatDate } = useI18n();
  const e = task?.export;
  const m: ExportManifest | null = e?.manifest ?? null;
  const text = (v: unknown): string => {
    if (v === undefined || v === null || v === '') return t('common.none');
    return typeof v === 'string' ? v : JSON.stringify(v);
  };
  return (
    <Drawer
      open={task !== null}
      onClose={onClose}
      width={640}
      title={task ? task.name : t('files.detail.title')}
    >
      {task ? (
        <>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label={t('files.detail.id')}>
              <Typography.Text copyable>{task.id}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('files.col.kind')}>{t(`kind.${task.kind}`)}</Descriptions.Item>
            <Descriptions.Item label={t('files.col.bizType')}>{task.bizType}</Descriptions.Item>
            <Descriptions.Item label={t('files.col.status')}>
              <StatusBadge task={task} />
            </Descriptions.Item>
            <Descriptions.Item label={t('files.col.created')}>{formatDate(task.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('files.detail.updated')}>
              {formatDate(task.updatedAt)}
            </Descriptions.Item>
            {task.file ? (
              <Descriptions.Item label={t('files.col.size')}>{formatBytes(task.file.size)}</Descriptions.Item>
            ) : null}
            {task.file ? (
              <Descriptions.Item label={t('files.detail.contentType')}>
                {task.file.contentType}
              </Descriptions.Item>
            ) : null}
            {task.file ? (
              <Descriptions.Item label={t('files.detail.sha256')}>
                <Typography.Text code style={{ wordBreak: 'break-all' }}>
                  {task.file.sha256}
                </Typography.Text>
              </Descriptions.Item>
            ) : null}
            {e ? <Descriptions.Item label={t('files.detail.format')}>{e.format}</Descriptions.Item> : null}
            {e ? (
              <Descriptions.Item label={t('files.detail.filters')}>
                <Typography.Text code>{JSON.stringify(e.filters)}</Typography.Text>
              </Descriptions.Item>
            ) : null}
            {e ? (
              <Descriptions.Item label={t('files.detail.rowCount')}>{text(e.rowCount)}</Descriptions.Item>
            ) : null}
            {e ? (
              <Descriptions.Item label={t('files.detail.attempts')}>{e.attempts}</Descriptions.Item>
            ) : null}
            {e?.failureReason ? (
              <Descriptions.Item label={t('files.detail.failure')}>
                <Tag color="red">{e.failureReason}</Tag> {e.failureMessage ?? ''}
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          {e ? (
            <>
              <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>
                {t('files.detail.manifest')}
              </Typography.Title>
              {m ? (
                <>
                  <Descriptions column={1} size="small" bordered style={{ marginBottom: 12 }}>
                    <Descriptions.Item label={t('files.detail.rowCount')}>
                      {text(m.rowCount ?? m.rows)}
                    </Descriptions.Item>
                    <Descriptions.Item label={t('files.detail.sha256')}>
                      <Typography.Text code style={{ wordBreak: 'break-all' }}>
                        {text(m.sha256)}
                      </Typography.Text>
                    </Descriptions.Item>
                    {m.timeZone ? (
                      <Descriptions.Item label={t('files.detail.timeZone')}>
                        {text(m.timeZone)}
                      </Descriptions.Item>
                    ) : null}
                    {m.locale ? (
                      <Descriptions.Item label={t('files.detail.locale')}>{text(m.locale)}</Descriptions.Item>
                    ) : null}
                  </Descriptions>
                  <Table
                    size="small"
                    pagination={false}
                    rowKey="key"
                    dataSource={m.columns ?? []}
                    columns={[
                      { title: 'Key', dataIndex: 'key' },
                      { title: t('files.detail.columns'), dataIndex: 'header' },
                      {
                        title: t('export.restricted'),
                        dataIndex: 'mask',
                        render: (mask?: string | null) =>
                          mask ? <Tag color="orange">{t('files.detail.masked', { mask })}</Tag> : null,
                      },
                    ]}
                  />
                </>
              ) : (
                <Typography.Text type="secondary">{t('files.detail.noManifest')}</Typography.Text>
              )}
            </>
          ) : null}
        </>
      ) : null}
    </Drawer>
  );
}
