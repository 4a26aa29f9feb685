import { Space, Typography } from 'antd';
import { useI18n } from '../i18n/I18nProvider';
import { describeCron } from '../lib/admin/cron-preview';

/**
 * A cron in a table cell: the expression, its meaning in words when it has a usual shape, and the
 * zone it is read in (null: the server's). Scheduled jobs and export schedules show their rules so.
 */
export function CronText({ cron, zone }: { cron: string; zone: string | null }) {
  const { t } = useI18n();
  const words = describeCron(cron);
  return (
    <Space direction="vertical" size={0}>
      <Typography.Text code>{cron}</Typography.Text>
      <Typography.Text type="secondary">
        {words ? `${t(words.key, words.values)} · ` : null}
        {zone ?? t('admin.jobs.serverZone')}
      </Typography.Text>
    </Space>
  );
}
