import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Checkbox, Form, Popconfirm, Radio, Select, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { PageTitle } from '../../components/PageTitle';
import { useNotify } from '../../components/useNotify';
import { useI18n } from '../../i18n/I18nProvider';
import { permissions } from '../../api/admin';
import {
  GRANT_ACTIONS,
  GRANT_TYPES,
  grantRequest,
  subjectField,
  type Grant,
  type GrantFormValues,
} from '../../lib/admin/grant-form';
import { subtreeNames, unitNames } from '../../lib/admin/unit-tree';
import type { BizTypeView } from '../../lib/admin/biz-type-form';
import { useBizTypes, useLoaded, useRoles, useUnitTree, useUsers } from './shared/useAdminData';
import { UnitSelect, UnitTreeField } from './shared/UnitTreeField';
import { setFieldError } from './shared/fieldError';
import { FormModal } from './shared/FormModal';

/** Grants per biz type: who may read, download or export its tasks, and which restricted columns. */
export default function PermissionsPage() {
  const { t } = useI18n();
  const notify = useNotify();
  const bizTypes = useBizTypes();
  const units = useUnitTree();
  const roles = useRoles();
  const users = useUsers();
  const [bizType, setBizType] = useState<string>();
  const [adding, setAdding] = useState(false);

  useEffect(() => {
    if (!bizType && bizTypes.data.length > 0) setBizType(bizTypes.data[0].code);
  }, [bizType, bizTypes.data]);

  const grants = useLoaded(
    async () => (bizType ? (await permissions.list(bizType)).items : []),
    [] as Grant[],
  );
  const { reload } = grants;
  useEffect(reload, [bizType, reload]);

  const current = bizTypes.data.find((b) => b.code === bizType);
  const unitName = useMemo(() => unitNames(units.data), [units.data]);
  const subjectName = (g: Grant) => {
    if (g.type === 'UNIT') return unitName.get(g.subject) ?? g.subject;
    if (g.type === 'ROLE') return roles.data.find((r) => r.code === g.subject)?.name ?? g.subject;
    const u = users.data.find((x) => x.id === g.subject);
    return u ? `${u.displayName || u.username} (${u.username})` : g.subject;
  };

  const remove = async (g: Grant) => {
    try {
      await permissions.remove(g.id);
      notify.success(t('admin.perm.deleted'));
      reload();
    } catch (e) {
      notify.error(e);
    }
  };

  return (
    <>
      <PageTitle
        extra={
          <Button type="primary" icon={<PlusOutlined />} disabled={!current} onClick={() => setAdding(true)}>
            {t('admin.perm.add')}
          </Button>
        }
      >
        {t('nav.permissions')}
      </PageTitle>
      <Form layout="inline" style={{ marginBottom: 16 }}>
        <Form.Item label={t('admin.bizType')} htmlFor="perm-biz-type">
          <Select
            id="perm-biz-type"
            style={{ minWidth: 260 }}
            loading={bizTypes.loading}
            value={bizType}
            onChange={setBizType}
            showSearch
            optionFilterProp="label"
            options={bizTypes.data.map((b) => ({ value: b.code, label: `${b.name} (${b.code})` }))}
          />
        </Form.Item>
      </Form>
      <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('admin.perm.rules')} />
      <Table<Grant>
        rowKey="id"
        loading={grants.loading}
        dataSource={grants.data}
        pagination={false}
        locale={{ emptyText: t('admin.perm.none') }}
        columns={[
          {
            title: t('admin.perm.subjectType'),
            dataIndex: 'type',
            render: (v: Grant['type']) => <Tag>{t(`admin.perm.type.${v}`)}</Tag>,
          },
          { title: t('admin.perm.subject'), key: 'subject', render: (_, g) => subjectName(g) },
          {
            title: t('admin.perm.actions'),
            dataIndex: 'actions',
            render: (v: Grant['actions']) => v.map((a) => <Tag key={a}>{t(`admin.perm.action.${a}`)}</Tag>),
          },
          {
            title: t('admin.perm.columns'),
            dataIndex: 'columns',
            render: (v: string[]) => (v.length ? v.join(', ') : t('common.none')),
          },
          {
            title: t('admin.perm.scope'),
            dataIndex: 'scopeUnitId',
            render: (v: string | null) => (v ? (unitName.get(v) ?? v) : t('admin.perm.allUnits')),
          },
          {
            title: t('common.actions'),
            key: 'ops',
            render: (_, g) => (
              <Popconfirm
                title={t('admin.perm.confirmDelete')}
                okText={t('admin.delete')}
                cancelText={t('common.cancel')}
                onConfirm={() => remove(g)}
              >
                <Button
                  danger
                  size="small"
                  icon={<DeleteOutlined />}
                  aria-label={t('admin.perm.deleteOf', { subject: subjectName(g) })}
                >
                  {t('admin.delete')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      {adding && current ? (
        <GrantModal
          bizType={current}
          onClose={(saved) => {
            setAdding(false);
            if (saved) reload();
          }}
          units={units.data}
          roles={roles.data}
          users={users.data}
        />
      ) : null}
    </>
  );
}

function GrantModal({
  bizType,
  onClose,
  units,
  roles,
  users,
}: {
  bizType: BizTypeView;
  onClose: (saved: boolean) => void;
  units: ReturnType<typeof useUnitTree>['data'];
  roles: ReturnType<typeof useRoles>['data'];
  users: ReturnType<typeof useUsers>['data'];
}) {
  const { t } = useI18n();
  const notify = useNotify();
  const [form] = Form.useForm<GrantFormValues>();
  const type = Form.useWatch('type', form) ?? 'ROLE';
  const unit = Form.useWatch('unit', form);
  const actions = Form.useWatch('actions', form) ?? [];
  const restricted = (bizType.columns ?? []).filter((c) => c.restricted === true);
  const columnsMatter = bizType.kind === 'EXPORT' && bizType.rules?.columnPermission !== false;

  const submit = async (values: GrantFormValues) => {
    const r = grantRequest(bizType.code, values);
    if (!r.ok) {
      setFieldError(form, r.field, t('admin.required'));
      return;
    }
    await permissions.create(r.body);
    notify.success(t('admin.perm.granted'));
    onClose(true);
  };

  return (
    <FormModal<GrantFormValues>
      form={form}
      width={640}
      title={t('admin.perm.addFor', { bizType: bizType.name })}
      okText={t('admin.perm.grant')}
      skipValidation
      onSubmit={submit}
      // The API names the grant's subject; the form has one field per subject type.
      fieldOf={(e) =>
        e.status === 400 && e.field
          ? e.field === 'subject'
            ? subjectField(form.getFieldValue('type') as GrantFormValues['type'])
            : e.field
          : undefined
      }
      onCancel={() => onClose(false)}
      initialValues={{ type: 'ROLE', actions: ['read'], columns: [] }}
    >
      <Form.Item name="type" label={t('admin.perm.subjectType')}>
        <Radio.Group options={GRANT_TYPES.map((g) => ({ value: g, label: t(`admin.perm.type.${g}`) }))} />
      </Form.Item>
      {type === 'ROLE' ? (
        <Form.Item name="role" label={t('admin.perm.role')}>
          <Select
            showSearch
            optionFilterProp="label"
            options={roles.map((r) => ({ value: r.code, label: `${r.name} (${r.code})` }))}
          />
        </Form.Item>
      ) : null}
      {type === 'UNIT' ? (
        <>
          <Form.Item name="unit" label={t('admin.perm.unit')}>
            <UnitTreeField units={units} label={t('admin.perm.unit')} />
          </Form.Item>
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            message={t('admin.perm.subtree')}
            description={
              unit ? t('admin.perm.subtreeOf', { units: subtreeNames(units, unit).join(', ') }) : undefined
            }
          />
        </>
      ) : null}
      {type === 'USER' ? (
        <Form.Item name="user" label={t('admin.perm.user')}>
          <Select
            showSearch
            placeholder={t('admin.perm.userSearch')}
            optionFilterProp="label"
            options={users.map((u) => ({
              value: u.id,
              label: `${u.displayName || u.username} (${u.username})`,
            }))}
          />
        </Form.Item>
      ) : null}
      <Form.Item name="actions" label={t('admin.perm.actions')}>
        <Checkbox.Group
          options={GRANT_ACTIONS.map((a) => ({ value: a, label: t(`admin.perm.action.${a}`) }))}
        />
      </Form.Item>
      {columnsMatter ? (
        <Form.Item name="columns" label={t('admin.perm.columns')} extra={t('admin.perm.columnsHelp')}>
          {restricted.length ? (
            <Checkbox.Group
              disabled={!actions.includes('export')}
              options={restricted.map((c) => ({ value: c.key, label: `${c.header} (${c.key})` }))}
            />
          ) : (
            <Typography.Text type="secondary">{t('admin.perm.noRestricted')}</Typography.Text>
          )}
        </Form.Item>
      ) : null}
      <Form.Item name="scopeUnitId" label={t('admin.perm.scope')} extra={t('admin.perm.scopeHelp')}>
        <UnitSelect units={units} placeholder={t('admin.perm.allUnits')} />
      </Form.Item>
    </FormModal>
  );
}
