import { Alert, Space, Tag } from 'antd';
import type { ExportPreview as Preview } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

/**
 * The answer of `POST /api/exports/preview`: how many rows would be written and which columns, in
 * the chosen language. More rows than the biz type's `rules.maxRows` is an error, said before the
 * request is made (the export itself would fail with ROW_LIMIT_EXCEEDED).
 */
export function ExportPreview({ preview, maxRows }: { preview: Preview; maxRows: number }) {
  const { t, lang } = useI18n();
  const n = (x: number) => new Intl.NumberFormat(lang).format(x);
  const rows = preview.estimatedRows;
  const max = preview.maxRows ?? maxRows;
  const within = preview.withinMaxRows ?? (rows === null || rows <= max);
  const columns = (
    <Space size={[4, 4]} wrap aria-label={t('export.previewColumns')}>
      {preview.columns.map((c) => (
        <Tag key={c.key}>{c.header}</Tag>
      ))}
    </Space>
  );
  if (!within)
    return (
      <Alert
        type="error"
        showIcon
        role="alert"
        message={t('export.tooManyRows', { rows: n(rows ?? 0), max: n(max) })}
        description={t('export.tooManyRowsHelp')}
      />
    );
  return (
    <Alert
      type="info"
      showIcon
      role="status"
      message={
        rows === null
          ? t('export.previewUnknown', { count: preview.columns.length })
          : t('export.previewRows', { rows: n(rows), count: preview.columns.length })
      }
      description={columns}
    />
  );
}
