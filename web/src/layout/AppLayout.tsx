import { Suspense, useEffect, useMemo, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { Button, Layout, Menu, Radio, Space, Spin, Typography, theme, type MenuProps } from 'antd';
import { LogoutOutlined, MenuOutlined, UserOutlined } from '@ant-design/icons';
import { useSession } from '../auth/AuthProvider';
import { mayOpen } from '../auth/roles';
import { useI18n } from '../i18n/I18nProvider';
import type { Lang } from '../i18n/messages';
import { PAGES } from '../routes';
import { PageErrorBoundary } from '../components/PageErrorBoundary';

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

/** antd's `lg`: below it the menu is a drawer over the page, opened from the header. */
const WIDE = '(min-width: 992px)';

/**
 * Whether the window is wide, known at the first render (a Sider `breakpoint` learns it only after
 * mounting, so a reload on a phone showed the menu half-collapsed over the page).
 */
function useWide(): boolean {
  const [wide, setWide] = useState(() => window.matchMedia(WIDE).matches);
  useEffect(() => {
    const mq = window.matchMedia(WIDE);
    const on = () => setWide(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return wide;
}

/** The signed-in frame: a menu of the pages this user may open, the header, and the page itself. */
export function AppLayout() {
  const { me, signOut } = useSession();
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const { token } = theme.useToken();
  const wide = useWide();
  const [menuOpen, setMenuOpen] = useState(false);
  const gap = wide ? 24 : 8;

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
      <Sider
        width={220}
        theme="light"
        collapsed={!wide && !menuOpen}
        collapsedWidth={0}
        trigger={null}
        style={
          wide
            ? undefined
            : {
                position: 'fixed',
                insetBlock: 0,
                left: 0,
                zIndex: 20,
                // Only while open: the closed menu is 0 px wide, and its shadow alone was a grey
                // band down the left edge of every narrow page.
                boxShadow: menuOpen ? token.boxShadowSecondary : 'none',
              }
        }
      >
        <div style={{ padding: '16px 20px', fontWeight: 600, fontSize: 16, color: token.colorPrimary }}>
          {t('app.title')}
        </div>
        <nav aria-label={t('app.title')}>
          <Menu
            mode="inline"
            items={items}
            selectedKeys={selected ? [selected] : []}
            onClick={({ key }) => {
              setMenuOpen(false);
              void navigate(key);
            }}
          />
        </nav>
      </Sider>
      <Layout>
        <Header
          style={{
            background: token.colorBgContainer,
            padding: `0 ${gap + 8}px`,
            display: 'flex',
            justifyContent: wide ? 'flex-end' : 'space-between',
            alignItems: 'center',
            gap: 8,
          }}
        >
          {wide ? null : (
            <Button
              type="text"
              icon={<MenuOutlined />}
              aria-label={t('app.menu')}
              aria-expanded={menuOpen}
              onClick={() => setMenuOpen((o) => !o)}
            />
          )}
          <Space size={wide ? 'middle' : 'small'}>
            <LanguageSelect />
            {wide ? (
              <Typography.Text>
                <UserOutlined /> {me?.username}
              </Typography.Text>
            ) : null}
            <Button
              icon={<LogoutOutlined />}
              onClick={signOut}
              aria-label={t('app.signOut')}
              title={wide ? undefined : `${me?.username ?? ''}: ${t('app.signOut')}`}
            >
              {wide ? t('app.signOut') : null}
            </Button>
          </Space>
        </Header>
        {wide || !menuOpen ? null : (
          // The open menu covers the page on a narrow window; a tap beside it closes it.
          <div
            aria-hidden
            onClick={() => setMenuOpen(false)}
            style={{ position: 'fixed', inset: 0, zIndex: 19, background: token.colorBgMask }}
          />
        )}
        <Content style={{ margin: gap, minWidth: 0 }}>
          {/* antd's Content is the <main> landmark already: one per page. */}
          <div
            style={{
              // A table wider than a narrow window scrolls inside the page: before, one without its
              // own scroll (scheduled tasks) widened the document and the header ended short of it.
              overflowX: 'auto',
              background: token.colorBgContainer,
              padding: wide ? 24 : 12,
              borderRadius: token.borderRadiusLG,
            }}
          >
            <PageErrorBoundary key={location.pathname}>
              <Suspense fallback={<Spin aria-label={t('app.loading')} />}>
                <Outlet />
              </Suspense>
            </PageErrorBoundary>
          </div>
        </Content>
      </Layout>
    </Layout>
  );
}
