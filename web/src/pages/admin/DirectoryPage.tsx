import { useMemo, useState } from 'react';
import {
  Button,
  Card,
  type FormInstance,
  Col,
  Form,
  Input,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Tree,
} from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { PageTitle } from '../../components/PageTitle';
import { useNotify } from '../../components/useNotify';
import { useI18n } from '../../i18n/I18nProvider';
import { ApiError } from '../../api/errors';
import { directory, type Role, type User } from '../../api/admin';
import { expandableKeys, toTreeData, unitNames, type UnitNode } from '../../lib/admin/unit-tree';
import { useRoles, useUnitTree, useUsers } from './shared/useAdminData';
import { UnitSelect } from './shared/UnitTreeField';
import { setFieldError } from './shared/fieldError';
import { FormModal } from './shared/FormModal';

/** Shows a 400 beside the field it names, anything else as a message. */
function useFormErrors() {
  const notify = useNotify();
  return (form: FormInstance, e: unknown, conflictField = 'code') => {
    if (e instanceof ApiError && e.status === 400 && e.field) setFieldError(form, e.field, e.message);
    else if (e instanceof ApiError && e.status === 409) setFieldError(form, conflictField, e.message);
    else notify.error(e);
  };
}

/** The organisation: units (a tree), roles and users. */
export default function DirectoryPage() {
  const { t } = useI18n();
  const units = useUnitTree();
  const roles = useRoles();
  return (
    <>
      <PageTitle>{t('nav.directory')}</PageTitle>
      <Tabs
        items={[
          {
            key: 'users',
            label: t('admin.dir.users'),
            children: <UsersTab units={units.data} roles={roles.data} />,
          },
          {
            key: 'units',
            label: t('admin.dir.units'),
            children: <UnitsTab units={units.data} reload={units.reload} />,
          },
          {
            key: 'roles',
            label: t('admin.dir.roles'),
            children: <RolesTab roles={roles.data} reload={roles.reload} />,
          },
        ]}
      />
    </>
  );
}

function UnitsTab({ units, reload }: { units: UnitNode[]; reload: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const showError = useFormErrors();
  const [form] = Form.useForm<{ name: string; parentId: string | null }>();
  const [selected, setSelected] = useState<string>();
  const data = useMemo(() => toTreeData(units), [units]);
  const expanded = useMemo(() => expandableKeys(units), [units]);

  const add = async (v: { name: string; parentId?: string | null }) => {
    try {
      await directory.createUnit({ name: v.name.trim(), parentId: v.parentId ?? null });
      notify.success(t('admin.dir.unitAdded', { name: v.name.trim() }));
      form.resetFields(['name']);
      reload();
    } catch (e) {
      showError(form, e);
    }
  };

  return (
    <Row gutter={24}>
      <Col xs={24} md={12}>
        <Card title={t('admin.dir.tree')} size="small">
          {data.length ? (
            <div role="group" aria-label={t('admin.dir.tree')}>
              <Tree
                key={expanded.join(',')}
                treeData={data}
                defaultExpandedKeys={expanded}
                showLine
                selectedKeys={selected ? [selected] : []}
                onSelect={(keys) => {
                  const id = keys[0] ? String(keys[0]) : undefined;
                  setSelected(id);
                  form.setFieldValue('parentId', id ?? null);
                }}
                titleRender={(n) => (
                  <span>
                    {String(n.title)} <Tag style={{ marginLeft: 4 }}>{String(n.key)}</Tag>
                  </span>
                )}
              />
            </div>
          ) : null}
        </Card>
      </Col>
      <Col xs={24} md={12}>
        <Card title={t('admin.dir.addUnit')} size="small">
          <Form form={form} layout="vertical" onFinish={add}>
            <Form.Item name="parentId" label={t('admin.dir.parent')} extra={t('admin.dir.parentHelp')}>
              <UnitSelect units={units} placeholder={t('admin.dir.noParent')} />
            </Form.Item>
            <Form.Item
              name="name"
              label={t('admin.dir.unitName')}
              rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
            >
              <Input maxLength={200} />
            </Form.Item>
            <Button type="primary" htmlType="submit" icon={<PlusOutlined />}>
              {t('admin.dir.addUnit')}
            </Button>
          </Form>
        </Card>
      </Col>
    </Row>
  );
}

function RolesTab({ roles, reload }: { roles: Role[]; reload: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  const showError = useFormErrors();
  const [form] = Form.useForm<Role>();
  const add = async (v: Role) => {
    try {
      await directory.createRole({ code: v.code.trim(), name: v.name.trim() });
      notify.success(t('admin.dir.roleAdded', { code: v.code.trim() }));
      form.resetFields();
      reload();
    } catch (e) {
      showError(form, e);
    }
  };
  return (
    <Row gutter={24}>
      <Col xs={24} md={12}>
        <Table<Role>
          rowKey="code"
          size="small"
          pagination={false}
          dataSource={roles}
          columns={[
            { title: t('admin.dir.roleCode'), dataIndex: 'code', render: (v: string) => <Tag>{v}</Tag> },
            { title: t('admin.dir.roleName'), dataIndex: 'name' },
          ]}
        />
      </Col>
      <Col xs={24} md={12}>
        <Card title={t('admin.dir.addRole')} size="small">
          <Form form={form} layout="vertical" onFinish={add}>
            <Form.Item
              name="code"
              label={t('admin.dir.roleCode')}
              extra={t('admin.dir.roleCodeHelp')}
              rules={[{ required: true, message: t('admin.required') }]}
            >
              <Input maxLength={64} />
            </Form.Item>
            <Form.Item
              name="name"
              label={t('admin.dir.roleName')}
              rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
            >
              <Input maxLength={200} />
            </Form.Item>
            <Button type="primary" htmlType="submit" icon={<PlusOutlined />}>
              {t('admin.dir.addRole')}
            </Button>
          </Form>
        </Card>
      </Col>
    </Row>
  );
}

interface UserValues {
  username: string;
  password: string;
  displayName?: string;
  roles: string[];
  unitId: string | null;
}

function UsersTab({ units, roles }: { units: UnitNode[]; roles: Role[] }) {
  const { t, formatDate } = useI18n();
  const notify = useNotify();
  const users = useUsers();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const names = useMemo(() => unitNames(units), [units]);

  const setDisabled = async (u: User, disabled: boolean) => {
    try {
      await directory.updateUser(u.id, { disabled });
      notify.success(t(disabled ? 'admin.dir.disabledNow' : 'admin.dir.enabledNow', { name: u.username }));
      users.reload();
    } catch (e) {
      notify.error(e);
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('admin.dir.addUser')}
        </Button>
      </Space>
      <Table<User>
        rowKey="id"
        size="small"
        loading={users.loading}
        dataSource={users.data}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t('admin.dir.username'), dataIndex: 'username' },
          { title: t('admin.dir.displayName'), dataIndex: 'displayName' },
          {
            title: t('admin.dir.roles'),
            dataIndex: 'roles',
            render: (v: string[]) => v.map((r) => <Tag key={r}>{r}</Tag>),
          },
          {
            title: t('admin.dir.unit'),
            dataIndex: 'unitId',
            render: (v: string | null) => (v ? (names.get(v) ?? v) : t('common.none')),
          },
          {
            title: t('admin.dir.status'),
            dataIndex: 'disabled',
            render: (v: boolean) =>
              v ? (
                <Tag color="red">{t('admin.dir.disabled')}</Tag>
              ) : (
                <Tag color="green">{t('admin.dir.active')}</Tag>
              ),
          },
          { title: t('admin.dir.created'), dataIndex: 'createdAt', render: (v: string) => formatDate(v) },
          {
            title: t('common.actions'),
            key: 'ops',
            render: (_, u) => (
              <Space wrap>
                <Button
                  size="small"
                  aria-label={t('admin.dir.editOf', { name: u.username })}
                  onClick={() => setEditing(u)}
                >
                  {t('admin.edit')}
                </Button>
                <Button
                  size="small"
                  aria-label={t('admin.dir.resetOf', { name: u.username })}
                  onClick={() => setResetting(u)}
                >
                  {t('admin.dir.resetPassword')}
                </Button>
                {u.disabled ? (
                  <Button
                    size="small"
                    aria-label={t('admin.dir.enableOf', { name: u.username })}
                    onClick={() => setDisabled(u, false)}
                  >
                    {t('admin.dir.enable')}
                  </Button>
                ) : (
                  <Popconfirm
                    title={t('admin.dir.confirmDisable', { name: u.username })}
                    okText={t('admin.dir.disable')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => setDisabled(u, true)}
                  >
                    <Button size="small" danger aria-label={t('admin.dir.disableOf', { name: u.username })}>
                      {t('admin.dir.disable')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {editing ? (
        <UserModal
          user={editing === 'new' ? null : editing}
          units={units}
          roles={roles}
          onClose={(saved) => {
            setEditing(null);
            if (saved) users.reload();
          }}
        />
      ) : null}
      {resetting ? <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} /> : null}
    </>
  );
}

function UserModal({
  user,
  units,
  roles,
  onClose,
}: {
  user: User | null;
  units: UnitNode[];
  roles: Role[];
  onClose: (saved: boolean) => void;
}) {
  const { t } = useI18n();
  const notify = useNotify();
  const save = async (v: UserValues) => {
    if (user)
      await directory.updateUser(user.id, {
        displayName: v.displayName ?? '',
        roles: v.roles ?? [],
        unitId: v.unitId ?? null,
      });
    else
      await directory.createUser({
        username: v.username.trim(),
        password: v.password,
        displayName: v.displayName?.trim() || undefined,
        roles: v.roles ?? [],
        unitId: v.unitId ?? null,
      });
    notify.success(t('admin.saved'));
    onClose(true);
  };

  return (
    <FormModal<UserValues>
      title={user ? t('admin.dir.editOf', { name: user.username }) : t('admin.dir.addUser')}
      onSubmit={save}
      fieldOf={(e) =>
        e.code === 'UNKNOWN_ROLE'
          ? 'roles'
          : e.status === 409
            ? 'username'
            : e.status === 400
              ? e.field
              : undefined
      }
      onCancel={() => onClose(false)}
      initialValues={
        user
          ? { displayName: user.displayName, roles: user.roles, unitId: user.unitId }
          : { roles: [], unitId: null }
      }
    >
      {user ? null : (
        <>
          <Form.Item
            name="username"
            label={t('admin.dir.username')}
            rules={[{ required: true, whitespace: true, message: t('admin.required') }]}
          >
            <Input maxLength={64} autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('admin.dir.password')}
            rules={[{ required: true, message: t('admin.required') }]}
          >
            <Input.Password maxLength={256} autoComplete="new-password" />
          </Form.Item>
        </>
      )}
      <Form.Item name="displayName" label={t('admin.dir.displayName')}>
        <Input maxLength={200} />
      </Form.Item>
      <Form.Item name="roles" label={t('admin.dir.roles')}>
        <Select
          mode="multiple"
          options={roles.map((r) => ({ value: r.code, label: `${r.name} (${r.code})` }))}
        />
      </Form.Item>
      <Form.Item name="unitId" label={t('admin.dir.unit')}>
        <UnitSelect units={units} placeholder={t('common.none')} />
      </Form.Item>
    </FormModal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useI18n();
  const notify = useNotify();
  return (
    <FormModal<{ password: string }>
      title={t('admin.dir.resetOf', { name: user.username })}
      onSubmit={async (v) => {
        await directory.updateUser(user.id, { password: v.password });
        notify.success(t('admin.dir.passwordReset', { name: user.username }));
        onClose();
      }}
      onCancel={onClose}
    >
      <Form.Item
        name="password"
        label={t('admin.dir.newPassword')}
        rules={[{ required: true, message: t('admin.required') }]}
      >
        <Input.Password maxLength={256} autoComplete="new-password" />
      </Form.Item>
    </FormModal>
  );
}
