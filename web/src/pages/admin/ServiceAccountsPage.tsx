import { useMemo, useState } from 'react';
import { Button, Form, Input, Popconfirm, Select, Tag } from 'antd';
import { DeleteOutlined } from '@ant-design/icons';
import { useI18n } from '../../i18n/I18nProvider';
import { serviceAccounts, type ServiceAccount } from '../../api/integration';
import { unitNames } from '../../lib/admin/unit-tree';
import { useLoaded, useRoles, useUnitTree } from './shared/useAdminData';
import { UnitSelect } from './shared/UnitTreeField';
import { FormModal } from './shared/FormModal';
import { AdminList, useChange } from './shared/AdminList';
import { SecretOnce } from './shared/SecretOnce';

interface Values {
  name: string;
  roles?: string[];
  unitId?: string | null;
}

const EMPTY: ServiceAccount[] = [];

/** Service accounts (API.md v1.1): created with a token shown once, listed, revoked. */
export default function ServiceAccountsPage() {
  const { t, formatDate } = useI18n();
  const list = useLoaded(async () => (await serviceAccounts.list()).items, EMPTY);
  const roles = useRoles();
  const units = useUnitTree();
  const names = useMemo(() => unitNames(units.data), [units.data]);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<{ name: string; token: string } | null>(null);

  const create = async (v: Values) => {
    const made = await serviceAccounts.create({
      name: v.name.trim(),
      roles: v.roles ?? [],
      unitId: v.unitId ?? null,
    });
    setCreating(false);
    setIssued({ name: made.name, token: made.token });
    list.reload();
  };

  const change = useChange(list.reload);
  const revoke = (a: ServiceAccount) =>
    change(() => serviceAccounts.revoke(a.id), t('admin.sa.revoked', { name: a.name }));

  return (
    <>
      <AdminList<ServiceAccount>
        title={t('nav.serviceAccounts')}
        newLabel={t('admin.sa.new')}
        onNew={() => setCreating(true)}
        intro={t('admin.sa.intro')}
        list={list}
        emptyText={t('admin.sa.empty')}
        columns={[
          { title: t('admin.sa.name'), dataIndex: 'name' },
          {
            title: t('admin.sa.roles'),
            dataIndex: 'roles',
            render: (rs: string[]) => rs.map((r) => <Tag key={r}>{r}</Tag>),
          },
          {
            title: t('admin.sa.unit'),
            dataIndex: 'unitId',
            render: (u: string | null) => (u ? (names.get(u) ?? u) : t('common.none')),
          },
          { title: t('admin.sa.created'), dataIndex: 'createdAt', render: (v: string) => formatDate(v) },
          {
            title: t('common.actions'),
            render: (_: unknown, a) => (
              <Popconfirm
                title={t('admin.sa.revokeConfirm', { name: a.name })}
                okText={t('admin.sa.revoke')}
                cancelText={t('common.cancel')}
                okButtonProps={{ danger: true }}
                onConfirm={() => void revoke(a)}
              >
                <Button
                  size="small"
                  danger
                  icon={<DeleteOutlined />}
                  aria-label={t('admin.sa.revokeOf', { name: a.name })}
                >
                  {t('admin.sa.revoke')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      {creating ? (
        <FormModal<Values>
          title={t('admin.sa.new')}
          onSubmit={create}
          // A taken name answers 409; roles the directory does not know, 400 UNKNOWN_ROLE.
          fieldOf={(e) =>
            e.status === 409
              ? 'name'
              : e.code === 'UNKNOWN_ROLE'
                ? 'roles'
                : e.status === 400
                  ? e.field
                  : undefined
          }
          onCancel={() => setCreating(false)}
          initialValues={{ roles: [], unitId: null }}
        >
          <Form.Item
            name="name"
            label={t('admin.sa.name')}
            rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
          >
            <Input maxLength={100} autoComplete="off" />
          </Form.Item>
          <Form.Item name="roles" label={t('admin.sa.roles')}>
            <Select
              mode="multiple"
              optionFilterProp="label"
              options={roles.data.map((r) => ({ value: r.code, label: `${r.name} (${r.code})` }))}
            />
          </Form.Item>
          <Form.Item name="unitId" label={t('admin.sa.unit')}>
            <UnitSelect units={units.data} placeholder={t('common.none')} />
          </Form.Item>
        </FormModal>
      ) : null}
      {issued ? (
        <SecretOnce
          title={t('admin.sa.tokenTitle', { name: issued.name })}
          label={t('admin.sa.token')}
          value={issued.token}
          onClose={() => setIssued(null)}
        />
      ) : null}
    </>
  );
}
