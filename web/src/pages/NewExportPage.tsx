import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, Button, Divider, Form, Space, Spin } from 'antd';
import { exportsApi, type ExportRequest } from '../api/resources';
import type { ExportPreview as Preview } from '../api/types';
import { PageTitle } from '../components/PageTitle';
import { useNotify } from '../components/useNotify';
import { useI18n } from '../i18n/I18nProvider';
import { buildFilterFields, requestedColumns, toFilters } from '../lib/export-form';
import type { Lang } from '../i18n/messages';
import { ExportPreview } from './export/ExportPreview';
import {
  BizTypeSelect,
  ColumnsAndFormat,
  defaultZone,
  FilterGrid,
  freshValues,
  useExportables,
  ZoneAndLocale,
} from './export/ExportFields';

/** A fresh idempotency key per form: a double click (or a retried request) makes one task, not two. */
const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export default function NewExportPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const navigate = useNavigate();
  const [form] = Form.useForm<Record<string, unknown>>();
  const choices = useExportables();
  const [code, setCode] = useState<string | undefined>();
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);

  const chosen = choices?.find((c) => c.type.code === code);
  const fields = useMemo(() => (chosen ? buildFilterFields(chosen.type, lang) : []), [chosen, lang]);

  const pick = (next: string) => {
    setCode(next);
    const c = choices?.find((x) => x.type.code === next);
    form.resetFields();
    form.setFieldsValue(freshValues(c, lang));
    setPreview(null);
    setKey(newKey());
  };

  /** The request the form describes (filters' dates read in the chosen zone). */
  const requestOf = (values: Record<string, unknown>): Omit<ExportRequest, 'idempotencyKey'> => {
    const timeZone = (values.timeZone as string | undefined) ?? defaultZone(chosen);
    return {
      bizType: chosen!.type.code,
      format: String(values.format),
      filters: toFilters(fields, values, timeZone),
      columns: requestedColumns(chosen!.columns, (values.columns as string[] | undefined) ?? []),
      timeZone,
      locale: (values.locale as Lang | undefined) ?? lang,
    };
  };

  const runPreview = async () => {
    if (!chosen) return;
    setPreviewing(true);
    try {
      const values = await form.validateFields();
      setPreview(await exportsApi.preview(requestOf(values)));
    } catch (e) {
      // A field the form itself refused is marked on the field; anything else is the API's answer.
      if (!(e && typeof e === 'object' && 'errorFields' in e)) notify.error(e);
    } finally {
      setPreviewing(false);
    }
  };

  const submit = async (values: Record<string, unknown>) => {
    if (!chosen || busy) return;
    setBusy(true);
    try {
      const task = await exportsApi.create({ ...requestOf(values), idempotencyKey: key });
      notify.success(t('export.submitted', { name: task.name }));
      await navigate('/files');
    } catch (e) {
      notify.error(e);
    } finally {
      setBusy(false);
    }
  };

  if (choices === null) return <Spin />;

  return (
    <>
      <PageTitle>{t('export.title')}</PageTitle>
      {choices.length === 0 ? <Alert type="info" showIcon message={t('export.noneAllowed')} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        // A preview answers for the values it was asked with: any change makes it stale.
        onValuesChange={() => setPreview(null)}
        // Enter confirms a typed date or choice; it must not also request the export (a form's
        // implicit submission). The request is the button's alone.
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.target as HTMLElement).tagName === 'INPUT') e.preventDefault();
        }}
        style={{ maxWidth: 760 }}
        disabled={choices.length === 0}
      >
        <BizTypeSelect choices={choices} value={code} onChange={pick} />
        {chosen ? (
          <>
            <FilterGrid fields={fields} />
            <ColumnsAndFormat chosen={chosen} />
            <Divider orientation="left">{t('export.options')}</Divider>
            <ZoneAndLocale chosen={chosen} />
            {preview ? (
              <div style={{ marginBottom: 16 }}>
                <ExportPreview preview={preview} maxRows={chosen.type.rules.maxRows} />
              </div>
            ) : null}
            <Space wrap>
              <Button onClick={() => void runPreview()} loading={previewing}>
                {t('export.preview')}
              </Button>
              <Button
                type="primary"
                htmlType="submit"
                loading={busy}
                // Past rules.maxRows the export would only fail: narrow the filters first.
                disabled={preview?.withinMaxRows === false}
              >
                {t('export.submit')}
              </Button>
            </Space>
          </>
        ) : null}
      </Form>
    </>
  );
}
