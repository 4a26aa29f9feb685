import { useEffect, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import {
  Alert,
  Button,
  Checkbox,
  DatePicker,
  Divider,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { bizTypes, exportsApi } from '../api/resources';
import type { ExportBizType, ExportColumnsAnswer } from '../api/types';
import { PageTitle } from '../components/PageTitle';
import { useNotify } from '../components/useNotify';
import { useI18n } from '../i18n/I18nProvider';
import {
  buildFilterFields,
  columnChoices,
  requestedColumns,
  toFilters,
  type FilterField,
} from '../lib/export-form';

interface Exportable {
  type: ExportBizType;
  columns: ExportColumnsAnswer;
}

/** A fresh idempotency key per form: a double click (or a retried request) makes one task, not two. */
const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

function FilterInput({ field }: { field: FilterField }) {
  const { t } = useI18n();
  const c = field.control;
  switch (c.kind) {
    case 'datetime':
      return <DatePicker showTime style={{ width: 240 }} />;
    case 'number':
      return c.multiple ? (
        <Select mode="tags" style={{ width: 320 }} tokenSeparators={[',', ' ']} />
      ) : (
        <InputNumber style={{ width: 200 }} />
      );
    case 'boolean':
      return (
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={t('export.any')}
          options={[
            { value: 'true', label: t('export.yes') },
            { value: 'false', label: t('export.no') },
          ]}
        />
      );
    case 'enum':
      return (
        <Select
          mode={c.multiple ? 'multiple' : undefined}
          allowClear
          showSearch
          optionFilterProp="label"
          style={{ width: 320 }}
          placeholder={t('export.any')}
          options={c.options.map((o) => ({ value: o.value, label: `${o.label} (${o.value})` }))}
        />
      );
    case 'text':
      return c.multiple ? (
        <Select mode="tags" style={{ width: 320 }} />
      ) : (
        <Input style={{ width: 240 }} allowClear />
      );
  }
}

export default function NewExportPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const navigate = useNavigate();
  const [form] = Form.useForm<Record<string, unknown>>();
  const [choices, setChoices] = useState<Exportable[] | null>(null);
  const [code, setCode] = useState<string | undefined>();
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);

  // The EXPORT biz types and, for each, the columns this user would get (none: may not export it).
  useEffect(() => {
    (async () => {
      const { items } = await bizTypes.list('EXPORT');
      const all = await Promise.all(
        items
          .filter((b): b is ExportBizType => b.kind === 'EXPORT')
          .map(async (type) => ({ type, columns: await bizTypes.exportColumns(type.code) })),
      );
      setChoices(all.filter((x) => x.columns.mayExport));
    })().catch((e: unknown) => {
      setChoices([]);
      notify.error(e);
    });
  }, [notify]);

  const chosen = choices?.find((c) => c.type.code === code);
  const fields = useMemo(() => (chosen ? buildFilterFields(chosen.type) : []), [chosen]);

  const pick = (next: string) => {
    setCode(next);
    const c = choices?.find((x) => x.type.code === next);
    form.resetFields();
    form.setFieldsValue({
      format: c?.type.rules.formats[0],
      columns: c?.columns.columns.filter((x) => x.available).map((x) => x.key),
    });
    setKey(newKey());
  };

  const submit = async (values: Record<string, unknown>) => {
    if (!chosen || busy) return;
    setBusy(true);
    try {
      const task = await exportsApi.create({
        bizType: chosen.type.code,
        format: String(values.format),
        filters: toFilters(fields, values),
        columns: requestedColumns(chosen.columns, (values.columns as string[] | undefined) ?? []),
        idempotencyKey: key,
        // Hook for the export options of API.md v1.1 (timeZone, locale, POST /api/exports/preview):
        // add the fields here once the exports service accepts them.
      });
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
        style={{ maxWidth: 760 }}
        disabled={choices.length === 0}
      >
        <Form.Item label={t('export.bizType')} required>
          <Select
            aria-label={t('export.bizType')}
            showSearch
            optionFilterProp="label"
            value={code}
            onChange={pick}
            placeholder={t('export.chooseBizType')}
            options={choices.map((c) => ({ value: c.type.code, label: `${c.type.name} (${c.type.code})` }))}
          />
        </Form.Item>
        {chosen ? (
          <>
            <Divider orientation="left">{t('export.filters')}</Divider>
            {fields.length === 0 ? (
              <Typography.Paragraph>{t('export.noFilters')}</Typography.Paragraph>
            ) : null}
            <Space wrap size="large" align="start">
              {fields.map((f) => (
                <Form.Item key={f.name} name={f.name} label={`${f.label} ${f.op}`}>
                  <FilterInput field={f} />
                </Form.Item>
              ))}
            </Space>
            <Divider orientation="left">{t('export.columns')}</Divider>
            <Typography.Paragraph type="secondary">{t('export.columnsHint')}</Typography.Paragraph>
            <Form.Item
              name="columns"
              rules={[{ required: true, type: 'array', min: 1, message: t('export.pickColumns') }]}
            >
              <Checkbox.Group style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 8 }}>
                {columnChoices(chosen.columns).map((c) => (
                  <Checkbox key={c.value} value={c.value} disabled={c.disabled}>
                    {c.label}{' '}
                    {c.disabled ? (
                      <Tag color="default">{t('export.unavailable')}</Tag>
                    ) : c.restricted ? (
                      <Tag color="orange">{t('export.restricted')}</Tag>
                    ) : null}
                  </Checkbox>
                ))}
              </Checkbox.Group>
            </Form.Item>
            <Form.Item name="format" label={t('export.format')} rules={[{ required: true }]}>
              <Radio.Group
                optionType="button"
                options={chosen.type.rules.formats.map((f) => ({ value: f, label: f }))}
              />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t('export.submit')}
            </Button>
          </>
        ) : null}
      </Form>
    </>
  );
}
