import { Badge, Progress, Space, Typography } from 'antd';
import type { FileTask } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';
import { isRetrying } from '../../lib/format';
import { percent } from '../../lib/sse';

const COLORS: Record<string, 'processing' | 'success' | 'error' | 'default' | 'warning'> = {
  PENDING: 'default',
  EXPORTING: 'processing',
  SUCCESS: 'success',
  FAILED: 'error',
  CANCELLED: 'warning',
  EXPIRED: 'default',
};

/**
 * A task's status as a badge, with the live progress of a running export under it. A FAILED export
 * with a retry to come reads "Retrying…": it is not a final failure.
 */
export function StatusBadge({ task }: { task: FileTask }) {
  const { t } = useI18n();
  const progress = task.export?.progress;
  const pct = progress ? percent({ rows: progress.rows, total: progress.total }) : null;
  return (
    <Space direction="vertical" size={0}>
      {isRetrying(task) ? (
        <Badge status="warning" text={t('status.RETRYING')} />
      ) : (
        <Badge status={COLORS[task.status] ?? 'default'} text={t(`status.${task.status}`)} />
      )}
      {task.status === 'EXPORTING' && progress ? (
        <>
          {pct !== null ? <Progress percent={pct} size="small" style={{ width: 140 }} /> : null}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {progress.total
              ? t('files.rowsOf', { rows: progress.rows, total: progress.total })
              : t('files.rows', { rows: progress.rows })}
          </Typography.Text>
        </>
      ) : null}
    </Space>
  );
}
