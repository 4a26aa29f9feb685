import { cloneElement, useState, type ReactElement } from 'react';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Drawer,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  Typography,
  type FormItemProps,
} from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../../../i18n/I18nProvider';
import type { MessageKey } from '../../../i18n/messages';
import { useNotify } from '../../../components/useNotify';
import { ApiError } from '../../../api/errors';
import { metadata } from '../../../api/admin';
import {
  COLUMN_TYPES,
  FILTER_OPS,
  FILTER_TYPES,
  FORMATS,
  MASKS,
  emptyForm,
  formFieldOf,
  toFormValues,
  toRequestBody,
  type BizTypeFormValues,
  type BizTypeView,
  type Kind,
} from '../../../lib/admin/biz-type-form';
import { GridField } from '../shared/GridField';
import { setFieldError } from '../shared/fieldError';

const opts = (xs: readonly string[]) => xs.map((x) => ({ value: x, label: x }));

/**
 * Creates or edits one biz type. Saving sends the version that was read: when someone else saved
 * meanwhile the API answers 409 and the editor says so, keeping the admin's edits in the form.
 */
export function BizTypeEditor({
  original,
  kind,
  existing,
  onClose,
}: {
  original?: BizTypeView;
  kind: Kind;
  existing: string[];
  onClose: (saved: boolean) => void;
}) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<BizTypeFormValues>();
  const [base, setBase] = useState<BizTypeView | undefined>(original);
  const [problem, setProblem] = useState<string | null>(null);
  const [conflict, setConflict] = useState<number | null | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const handlerType = Form.useWatch('handlerType', form);

  const save = async () => {
    setProblem(null);
    setConflict(undefined);
    let v: BizTypeFormValues;
    try {
      await form.validateFields();
      v = form.getFieldsValue(true) as BizTypeFormValues;
    } catch {
      return;
    }
    if (!base && existing.includes(v.code.trim())) {
      setFieldError(form, 'code', t('admin.biz.codeTaken'));
      return;
    }
    setSaving(true);
    try {
      await metadata.put(v.code.trim(), toRequestBody(v, base));
      notify.success(t('admin.saved'));
      onClose(true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const current = (e.data as { current?: number | null } | undefined)?.current;
        setConflict(current ?? null);
      } else if (e instanceof ApiError && e.status === 400) {
        const name = formFieldOf(e.field, v);
        if (name !== null) {
          setFieldError(form, name, e.message);
          form.scrollToField(name, { block: 'center' });
        }
        setProblem(e.message);
      } else notify.error(e);
    } finally {
      setSaving(false);
    }
  };

  const reloadCurrent = async () => {
    if (!base) return;
    try {
      const fresh = await metadata.get(base.code);
      setBase(fresh);
      form.resetFields();
      form.setFieldsValue(toFormValues(fresh));
      setConflict(undefined);
    } catch (e) {
      notify.error(e);
    }
  };

  const title = original
    ? t('admin.biz.editOf', { code: original.code })
    : t(kind === 'EXPORT' ? 'admin.biz.newExport' : 'admin.biz.newFile');
  return (
    <Drawer
      open
      width={980}
      title={title}
      onClose={() => onClose(false)}
      extra={
        <Space>
          <Button onClick={() => onClose(false)}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={save}>
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      {conflict !== undefined ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 16 }}
          message={t('admin.biz.conflict', { version: conflict ?? '?' })}
          description={t('admin.biz.conflictHelp')}
          action={<Button onClick={reloadCurrent}>{t('admin.biz.loadCurrent')}</Button>}
        />
      ) : null}
      {problem ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 16 }}
          message={t('error.invalid', { detail: problem })}
        />
      ) : null}
      <Form form={form} layout="vertical" initialValues={original ? toFormValues(original) : emptyForm(kind)}>
        <Row gutter={16}>
          <GridField
            span={8}
            name="code"
            label={t('admin.biz.code')}
            extra={original ? undefined : t('admin.biz.codeHelp')}
            rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,63}$/, message: t('admin.biz.codeHelp') }]}
          >
            <Input disabled={Boolean(original)} />
          </GridField>
          <GridField
            span={10}
            name="name"
            label={t('admin.biz.name')}
            rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
          >
            <Input maxLength={128} />
          </GridField>
          <GridField span={6} name="kind" label={t('admin.biz.kind')}>
            <Radio.Group
              disabled
              options={[
                { value: 'EXPORT', label: t('admin.biz.kind.EXPORT') },
                { value: 'FILE', label: t('admin.biz.kind.FILE') },
              ]}
            />
          </GridField>
        </Row>
        {kind === 'FILE' ? <FileRules /> : <ExportFields handlerType={handlerType} />}
      </Form>
    </Drawer>
  );
}

function FileRules() {
  const { t } = useI18n();
  return (
    <Card size="small" title={t('admin.biz.rules')}>
      <Row gutter={16}>
        <GridField span={8} name="maxSize" label={t('admin.biz.maxSize')} extra={t('admin.biz.maxSizeHelp')}>
          <InputNumber min={1} style={{ width: '100%' }} />
        </GridField>
        <GridField span={8} name="retentionDays" label={t('admin.biz.retentionDays')}>
          <InputNumber min={1} max={36500} style={{ width: '100%' }} />
        </GridField>
        <GridField
          span={24}
          name="contentTypes"
          label={t('admin.biz.contentTypes')}
          extra={t('admin.biz.contentTypesHelp')}
        >
          <Select
            mode="tags"
            tokenSeparators={[',', ' ']}
            options={opts(['application/pdf', 'image/png', 'image/jpeg', 'text/csv'])}
          />
        </GridField>
      </Row>
    </Card>
  );
}

function ExportFields({ handlerType }: { handlerType?: string }) {
  const { t } = useI18n();
  const type = handlerType ?? 'sql';
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small" title={t('admin.biz.dataHandler')}>
        <Row gutter={16}>
          <GridField span={6} name="handlerType" label={t('admin.biz.handlerType')}>
            <Select options={opts(['sql', 'action'])} />
          </GridField>
          {type === 'sql' ? (
            <>
              <GridField span={6} name="source" label={t('admin.biz.source')}>
                <Input />
              </GridField>
              <GridField span={6} name="table" label={t('admin.biz.table')}>
                <Input />
              </GridField>
              <GridField span={6} name="key" label={t('admin.biz.keyColumn')}>
                <Input />
              </GridField>
            </>
          ) : type === 'action' ? (
            <GridField
              span={12}
              name="action"
              label={t('admin.biz.action')}
              extra={t('admin.biz.actionHelp')}
            >
              <Input />
            </GridField>
          ) : null}
        </Row>
        <Typography.Text strong>{t('admin.biz.filters')}</Typography.Text>
        <Form.List name="filters">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Row key={f.key} gutter={8} align="bottom">
                  <GridField
                    span={6}
                    name={[f.name, 'name']}
                    label={t('admin.biz.filterNameN', { n: i + 1 })}
                  >
                    <Input />
                  </GridField>
                  {type === 'sql' ? (
                    <GridField
                      span={6}
                      name={[f.name, 'column']}
                      label={t('admin.biz.filterColumnN', { n: i + 1 })}
                    >
                      <Input />
                    </GridField>
                  ) : null}
                  <GridField span={4} name={[f.name, 'op']} label={t('admin.biz.filterOpN', { n: i + 1 })}>
                    <Select options={opts(FILTER_OPS)} />
                  </GridField>
                  <GridField
                    span={5}
                    name={[f.name, 'type']}
                    label={t('admin.biz.filterTypeN', { n: i + 1 })}
                  >
                    <Select options={opts(FILTER_TYPES)} />
                  </GridField>
                  <GridField span={3}>
                    <Button
                      icon={<DeleteOutlined />}
                      aria-label={t('admin.biz.removeFilterN', { n: i + 1 })}
                      onClick={() => remove(f.name)}
                    />
                  </GridField>
                </Row>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ name: '', op: '=', type: 'string' })}>
                {t('admin.biz.addFilter')}
              </Button>
            </>
          )}
        </Form.List>
      </Card>
      <Card size="small" title={t('admin.biz.columns')}>
        <Form.List name="columns">
          {(fields, { add, remove, move }) => (
            <>
              {fields.map((f, i) => (
                <Card
                  key={f.key}
                  size="small"
                  type="inner"
                  style={{ marginBottom: 8 }}
                  title={t('admin.biz.columnN', { n: i + 1 })}
                  extra={
                    <Space>
                      <Button
                        size="small"
                        disabled={i === 0}
                        aria-label={t('admin.biz.moveUpN', { n: i + 1 })}
                        onClick={() => move(i, i - 1)}
                      >
                        ↑
                      </Button>
                      <Button
                        size="small"
                        disabled={i === fields.length - 1}
                        aria-label={t('admin.biz.moveDownN', { n: i + 1 })}
                        onClick={() => move(i, i + 1)}
                      >
                        ↓
                      </Button>
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('admin.biz.removeColumnN', { n: i + 1 })}
                        onClick={() => remove(f.name)}
                      />
                    </Space>
                  }
                >
                  <Row gutter={8}>
                    <ColumnField
                      row={f.name}
                      n={i + 1}
                      field="key"
                      span={5}
                      label="admin.biz.colKey"
                      required
                    >
                      <Input />
                    </ColumnField>
                    <ColumnField
                      row={f.name}
                      n={i + 1}
                      field="header"
                      span={6}
                      label="admin.biz.colHeader"
                      required
                    >
                      <Input />
                    </ColumnField>
                    <ColumnField row={f.name} n={i + 1} field="type" span={4} label="admin.biz.colType">
                      <Select options={opts(COLUMN_TYPES)} />
                    </ColumnField>
                    <ColumnField row={f.name} n={i + 1} field="format" span={4} label="admin.biz.colFormat">
                      <Input placeholder="0.00" />
                    </ColumnField>
                    <ColumnField row={f.name} n={i + 1} field="mask" span={3} label="admin.biz.colMask">
                      <Select allowClear options={opts(MASKS)} />
                    </ColumnField>
                    <ColumnField
                      row={f.name}
                      n={i + 1}
                      field="restricted"
                      span={2}
                      label="admin.biz.colRestricted"
                      valuePropName="checked"
                    >
                      <Checkbox />
                    </ColumnField>
                    <ColumnField
                      row={f.name}
                      n={i + 1}
                      field="dict"
                      span={24}
                      label="admin.biz.colDict"
                      extra={t('admin.biz.colDictHelp')}
                      style={{ marginBottom: 0 }}
                    >
                      <Input.TextArea autoSize={{ minRows: 1, maxRows: 6 }} />
                    </ColumnField>
                  </Row>
                </Card>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ key: '', header: '', type: 'string' })}>
                {t('admin.biz.addColumn')}
              </Button>
            </>
          )}
        </Form.List>
      </Card>
      <Card size="small" title={t('admin.biz.rules')}>
        <Row gutter={16}>
          <GridField span={8} name="formats" label={t('admin.biz.formats')}>
            <Checkbox.Group options={opts(FORMATS)} />
          </GridField>
          <GridField span={8} name="maxRows" label={t('admin.biz.maxRows')}>
            <InputNumber min={1} style={{ width: '100%' }} />
          </GridField>
          <GridField span={8} name="retentionDays" label={t('admin.biz.retentionDays')}>
            <InputNumber min={1} max={36500} style={{ width: '100%' }} />
          </GridField>
          <GridField
            span={8}
            name="columnPermission"
            label={t('admin.biz.columnPermission')}
            valuePropName="checked"
            extra={t('admin.biz.columnPermissionHelp')}
          >
            <Switch />
          </GridField>
          <GridField
            span={8}
            name="rowScopeColumn"
            label={t('admin.biz.rowScope')}
            extra={t('admin.biz.rowScopeHelp')}
          >
            <Input placeholder="unit_id" />
          </GridField>
          <GridField span={8} name="csvBom" label={t('admin.biz.csvBom')} valuePropName="checked">
            <Switch />
          </GridField>
        </Row>
      </Card>
    </Space>
  );
}

/**
 * One field of the column `n` (1-based) in the columns list: its grid cell, its label and an
 * accessible name that says which column ("Key of column 2"), since every card repeats the labels.
 */
function ColumnField({
  row,
  n,
  field,
  label,
  required,
  children,
  ...item
}: Omit<FormItemProps, 'label' | 'name' | 'children'> & {
  row: number;
  n: number;
  field: string;
  label: MessageKey;
  required?: boolean;
  span: number;
  children: ReactElement<{ 'aria-label'?: string }>;
}) {
  const { t } = useI18n();
  return (
    <GridField
      {...item}
      name={[row, field]}
      label={t(label)}
      rules={required ? [{ required: true, message: t('admin.required') }] : undefined}
    >
      {cloneElement(children, { 'aria-label': t('admin.biz.colFieldN', { field: t(label), n }) })}
    </GridField>
  );
}
