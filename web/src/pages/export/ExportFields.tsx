import { useEffect, useMemo, useState } from 'react';
import {
  Checkbox,
  DatePicker,
  Divider,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Tag,
  Typography,
} from 'antd';
import { bizTypes } from '../../api/resources';
import type { ExportBizType, ExportColumnsAnswer } from '../../api/types';
import { useNotify } from '../../components/useNotify';
import { useI18n } from '../../i18n/I18nProvider';
import type { Lang } from '../../i18n/messages';
import { columnChoices, type FilterField } from '../../lib/export-form';
import { browserTimeZone, timeZoneChoices } from '../../lib/zoned-time';

/**
 * The parts of an export's form that the new export page and the export schedule dialog share:
 * the biz types this user may export, a filter's control, the columns, the format, the zone and
 * the header language.
 */

/** The languages an export's headers (and dictionary values) may be written in. */
const EXPORT_LOCALES: readonly { value: Lang; label: string }[] = [
  { value: 'zh-CN', label: '中文 (zh-CN)' },
  { value: 'en', label: 'English (en)' },
];

export interface Exportable {
  type: ExportBizType;
  columns: ExportColumnsAnswer;
}

export const FULL = { width: '100%' } as const;

/**
 * The filters as a grid of equal cells: every row is as high as its tallest cell and rows are one
 * Form.Item margin apart (a wrapping Space added its own row gap on top of that margin, unevenly).
 * Cells narrow to one column on a narrow window.
 */
export const FILTER_GRID = {
  display: 'grid',
  gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
  columnGap: 24,
} as const;

/** The EXPORT biz types and, for each, the columns this user would get (none: may not export it). */
export function useExportables(): Exportable[] | null {
  const notify = useNotify();
  const [choices, setChoices] = useState<Exportable[] | null>(null);
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
  return choices;
}

/** An export's zone unless one is chosen: the biz type's `rules.timeZone`, else the person's own. */
export function defaultZone(c: Exportable | undefined): string {
  const own = c?.type.rules.timeZone;
  return typeof own === 'string' && own ? own : browserTimeZone();
}

/** The form values a newly picked biz type starts with: every available column, its first format. */
export function freshValues(
  c: Exportable | undefined,
  lang: Lang,
): { format?: string; columns?: string[]; timeZone: string; locale: Lang } {
  return {
    format: c?.type.rules.formats[0],
    columns: c?.columns.columns.filter((x) => x.available).map((x) => x.key),
    // The biz type's zone (rules.timeZone), else the person's own; headers in the console's language.
    timeZone: defaultZone(c),
    locale: lang,
  };
}

/** The biz type choice (a searchable select labelled "What to export"). */
export function BizTypeSelect({
  choices,
  value,
  onChange,
  disabled,
}: {
  choices: readonly Exportable[];
  value: string | undefined;
  onChange: (code: string) => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  return (
    <Form.Item label={t('export.bizType')} required>
      <Select
        aria-label={t('export.bizType')}
        showSearch
        optionFilterProp="label"
        value={value}
        onChange={onChange}
        disabled={disabled}
        placeholder={t('export.chooseBizType')}
        options={choices.map((c) => ({ value: c.type.code, label: `${c.type.name} (${c.type.code})` }))}
      />
    </Form.Item>
  );
}

/** What Form.Item hands its child: the field's id (the label's target), value and change handler. */
interface ControlProps {
  id?: string;
  value?: unknown;
  onChange?: (value: unknown) => void;
  disabled?: boolean;
}

/**
 * One filter's control. It passes Form.Item's props on to the antd control: without them the
 * form never saw a filter's value (every export ran unfiltered) and no label pointed at its input.
 */
export function FilterInput({ field, ...control }: { field: FilterField } & ControlProps) {
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

/** The filters of the biz type in a grid; `disabledFields` are filled by something else (a period). */
export function FilterGrid({
  fields,
  disabledFields = [],
}: {
  fields: readonly FilterField[];
  disabledFields?: readonly string[];
}) {
  const { t } = useI18n();
  return (
    <>
      <Divider orientation="left">{t('export.filters')}</Divider>
      {fields.length === 0 ? <Typography.Paragraph>{t('export.noFilters')}</Typography.Paragraph> : null}
      <div style={FILTER_GRID}>
        {fields.map((f) =>
          disabledFields.includes(f.name) ? null : (
            <Form.Item key={f.name} name={f.name} label={f.label}>
              <FilterInput field={f} />
            </Form.Item>
          ),
        )}
      </div>
    </>
  );
}

/** The columns (unavailable ones shown, disabled) and the format. */
export function ColumnsAndFormat({ chosen }: { chosen: Exportable }) {
  const { t, lang } = useI18n();
  return (
    <>
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
    </>
  );
}

/** The export's time zone (its date-times and its filters' dates) and its header language. */
export function ZoneAndLocale({ chosen, zoneHelp }: { chosen: Exportable | undefined; zoneHelp?: string }) {
  const { t } = useI18n();
  const zones = useMemo(
    () => timeZoneChoices(defaultZone(chosen)).map((z) => ({ value: z, label: z })),
    [chosen],
  );
  return (
    <div style={FILTER_GRID}>
      <Form.Item
        name="timeZone"
        label={t('export.timeZone')}
        extra={zoneHelp ?? t('export.timeZoneHelp')}
        rules={[{ required: true }]}
      >
        <Select showSearch options={zones} style={FULL} />
      </Form.Item>
      <Form.Item name="locale" label={t('export.locale')} rules={[{ required: true }]}>
        <Radio.Group optionType="button" options={[...EXPORT_LOCALES]} aria-label={t('export.locale')} />
      </Form.Item>
    </div>
  );
}
