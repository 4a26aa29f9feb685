import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { Alert, Button, Form, Input, Space, Typography, theme } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useSession } from '../auth/AuthProvider';
import { useI18n } from '../i18n/I18nProvider';
import { LanguageSelect } from '../layout/AppLayout';
import { ApiError } from '../api/errors';

interface Fields {
  username: string;
  password: string;
}

export default function SignInPage() {
  const { me, expired, signIn } = useSession();
  const { t, errorText } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { token } = theme.useToken();
  const next = (location.state as { from?: string } | null)?.from ?? '/files';

  if (me) return <Navigate to={next} replace />;

  const submit = async (v: Fields) => {
    setBusy(true);
    setError(null);
    try {
      await signIn(v.username, v.password);
      await navigate(next, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? t('signIn.failed') : errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      {/* A plain panel, not antd's Card (which brings Tabs and Skeleton): fits a phone's width. */}
      <div
        style={{
          width: 'min(380px, calc(100vw - 32px))',
          boxSizing: 'border-box',
          padding: 24,
          background: token.colorBgContainer,
          borderRadius: token.borderRadiusLG,
          border: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
            <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
              {t('app.title')}
            </Typography.Title>
            <LanguageSelect />
          </div>
          {expired && !error ? <Alert type="warning" showIcon message={t('signIn.expired')} /> : null}
          {error ? <Alert type="error" showIcon message={error} role="alert" /> : null}
          <Form<Fields> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
            <Form.Item
              name="username"
              label={t('signIn.username')}
              rules={[{ required: true, message: t('signIn.required', { field: t('signIn.username') }) }]}
            >
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('signIn.password')}
              rules={[{ required: true, message: t('signIn.required', { field: t('signIn.password') }) }]}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy}>
              {t('signIn.submit')}
            </Button>
          </Form>
        </Space>
      </div>
    </div>
  );
}
