import { Suspense, useMemo } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { Button, Layout, Menu, Radio, Space, Spin, Typography, theme, type MenuProps } from 'antd';
import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useSession } from '../auth/AuthProvider';
import { mayOpen } from '../auth/roles';
import { useI18n } from '../i18n/I18nProvider';
import type { Lang } from '../i18n/messages';
import { PAGES } from '../routes';

const { Header, Sider, Content } = Layout;

/** The language switch: two radio buttons (keyboard: arrow keys), remembered in localStorage. */
export function LanguageSelect() {
  const { lang, setLang, t } = useI18n();
  return (
    <Radio.Group
      aria-label={t('app.language')}
      value={lang}
      onChange={(e) => setLang(e.target.value as Lang)}
      optionType="button"
      size="small"
      options={[
        { value: 'zh-CN', label: '中文' },
        { value: 'en', label: 'English' },
      ]}
    />
  );
}

/** The signed-in frame: a menu of the pages this user may open, the header, and the page itself. */
export function AppLayout() {
  const { me, signOut } = useSession();
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const { token } = theme.useToken();

  const items = useMemo<MenuProps['items']>(() => {
    const visible = PAGES.filter((p) => mayOpen(me ?? null, p.roles));
    const entry = (p: (typeof PAGES)[number]) => ({ key: p.path, icon: p.icon, label: t(p.nav) });
    const user = visible.filter((p) => p.group === 'user').map(entry);
    const admin = visible.filter((p) => p.group === 'admin').map(entry);
    return admin.length
      ? [...user, { type: 'group' as const, key: 'admin', label: t('nav.admin'), children: admin }]
      : user;
  }, [me, t]);

  const selected = PAGES.find((p) => location.pathname.startsWith(p.path))?.path;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Sider width={220} theme="light" breakpoint="lg" collapsedWidth={0}>
        <div style={{ padding: '16px 20px', fontWeight: 600, fontSize: 16, color: token.colorPrimary }}>
          {t('app.title')}
        </div>
        <nav aria-label={t('app.title')}>
          <Menu
            mode="inline"
            items={items}
            selectedKeys={selected ? [selected] : []}
            onClick={({ key }) => void navigate(key)}
          />
        </nav>
      </Sider>
      <Layout>
        <Header
          style={{
            background: token.colorBgContainer,
            padding: '0 24px',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
          }}
        >
          <Space size="middle">
            <LanguageSelect />
            <Typography.Text>
              <UserOutlined /> {me?.username}
            </Typography.Text>
            <Button icon={<LogoutOutlined />} onClick={signOut}>
              {t('app.signOut')}
            </Button>
          </Space>
        </Header>
        <Content style={{ margin: 24 }}>
          <main
            style={{ background: token.colorBgContainer, padding: 24, borderRadius: token.borderRadiusLG }}
          >
            <Suspense fallback={<Spin aria-label={t('app.loading')} />}>
              <Outlet />
            </Suspense>
          </main>
        </Content>
      </Layout>
    </Layout>
  );
}
