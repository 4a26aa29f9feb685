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
import { bizTypes, exportsApi, type ExportRequest } from '../api/resources';
import type { ExportBizType, ExportColumnsAnswer, ExportPreview as Preview } from '../api/types';
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
import { browserTimeZone, timeZoneChoices } from '../lib/zoned-time';
import type { Lang } from '../i18n/messages';
import { ExportPreview } from './export/ExportPreview';

/** The languages an export's headers (and dictionary values) may be written in. */
const EXPORT_LOCALES: readonly { value: Lang; label: string }[] = [
  { value: 'zh-CN', label: '中文 (zh-CN)' },
  { value: 'en', label: 'English (en)' },
];

interface Exportable {
  type: ExportBizType;
  columns: ExportColumnsAnswer;
}

/** A fresh idempotency key per form: a double click (or a retried request) makes one task, not two. */
const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

const FULL = { width: '100%' } as const;

/**
 * The filters as a grid of equal cells: every row is as high as its tallest cell and rows are one
 * Form.Item margin apart (a wrapping Space added its own row gap on top of that margin, unevenly).
 * Cells narrow to one column on a narrow window.
 */
const FILTER_GRID = {
  display: 'grid',
  gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
  columnGap: 24,
} as const;

/** What Form.Item hands its child: the field's id (the label's target), value and change handler. */
interface ControlProps {
  id?: string;
  value?: unknown;
  onChange?: (value: unknown) => void;
}

/**
 * One filter's control. It passes Form.Item's props on to the antd control: without them the
 * form never saw a filter's value (every export ran unfiltered) and no label pointed at its input.
 */
function FilterInput({ field, ...control }: { field: FilterField } & ControlProps) {
  const { t } = useI18n();
  const c = field.control;
  // Each antd control types its value; the form holds whatever the control produces.
  const p = control as Record<string, never>;
  switch (c.kind) {
    case 'datetime':
      return <DatePicker showTime style={FULL} {...p} />;
    case 'number':
      return c.multiple ? (
        <Select mode="tags" style={FULL} tokenSeparators={[',', ' ']} {...p} />
      ) : (
        <InputNumber style={FULL} {...p} />
      );
    case 'boolean':
      return (
        <Select
          allowClear
          style={FULL}
          placeholder={t('export.any')}
          options={[
            { value: 'true', label: t('export.yes') },
            { value: 'false', label: t('export.no') },
          ]}
          {...p}
        />
      );
    case 'enum':
      return (
        <Select
          mode={c.multiple ? 'multiple' : undefined}
          allowClear
          showSearch
          optionFilterProp="label"
          style={FULL}
          placeholder={t('export.any')}
          options={c.options}
          {...p}
        />
      );
    case 'text':
      return c.multiple ? (
        <Select mode="tags" style={FULL} {...p} />
      ) : (
        <Input style={FULL} allowClear {...p} />
      );
  }
}

/** An export's zone unless one is chosen: the biz type's `rules.timeZone`, else the person's own. */
function defaultZone(c: Exportable | undefined): string {
  const own = c?.type.rules.timeZone;
  return typeof own === 'string' && own ? own : browserTimeZone();
}

export default function NewExportPage() {
  const { t, lang } = useI18n();
  const notify = useNotify();
  const navigate = useNavigate();
  const [form] = Form.useForm<Record<string, unknown>>();
  const [choices, setChoices] = useState<Exportable[] | null>(null);
  const [code, setCode] = useState<string | undefined>();
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewing, setPreviewing] = useState(false);

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
  const fields = useMemo(() => (chosen ? buildFilterFields(chosen.type, lang) : []), [chosen, lang]);

  const zones = useMemo(
    () => timeZoneChoices(defaultZone(chosen)).map((z) => ({ value: z, label: z })),
    [chosen],
  );

  const pick = (next: string) => {
    setCode(next);
    const c = choices?.find((x) => x.type.code === next);
    form.resetFields();
    form.setFieldsValue({
      format: c?.type.rules.formats[0],
      columns: c?.columns.columns.filter((x) => x.available).map((x) => x.key),
      // The biz type's zone (rules.timeZone), else the person's own; headers in the console's language.
      timeZone: defaultZone(c),
      locale: lang,
    });
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
            <div style={FILTER_GRID}>
              {fields.map((f) => (
                <Form.Item key={f.name} name={f.name} label={f.label}>
                  <FilterInput field={f} />
                </Form.Item>
              ))}
            </div>
            <Divider orientation="left">{t('export.columns')}</Divider>
            <Typography.Paragraph type="secondary">{t('export.columnsHint')}</Typography.Paragraph>
            <Form.Item
              name="columns"
              rules={[{ required: true, type: 'array', min: 1, message: t('export.pickColumns') }]}
            >
              <Checkbox.Group
                style={{
                  display: 'grid',
                  gridTemplateColumns: 'repeat(auto-fill, minmax(200px, 1fr))',
                  gap: 8,
                }}
              >
                {columnChoices(chosen.columns, chosen.type.columns, lang).map((c) => (
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
            <Divider orientation="left">{t('export.options')}</Divider>
            <div style={FILTER_GRID}>
              <Form.Item
                name="timeZone"
                label={t('export.timeZone')}
                extra={t('export.timeZoneHelp')}
                rules={[{ required: true }]}
              >
                <Select showSearch options={zones} style={FULL} />
              </Form.Item>
              <Form.Item name="locale" label={t('export.locale')} rules={[{ required: true }]}>
                <Radio.Group
                  optionType="button"
                  options={[...EXPORT_LOCALES]}
                  aria-label={t('export.locale')}
                />
              </Form.Item>
            </div>
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
