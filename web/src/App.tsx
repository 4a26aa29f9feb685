import { Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { App as AntApp, Result, Spin } from 'antd';
import { AuthProvider, useSession } from './auth/AuthProvider';
import { mayOpen, type Role } from './auth/roles';
import { I18nProvider, useI18n } from './i18n/I18nProvider';
import { AppLayout } from './layout/AppLayout';
import SignInPage from './pages/SignInPage';
import { PAGES } from './routes';
import type { ReactNode } from 'react';

/** Signed-out visitors go to sign-in and come back to the page they asked for. */
function RequireSession({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const location = useLocation();
  if (me === undefined) return <Spin fullscreen />;
  if (me === null)
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return children;
}

function RequireRole({ roles, children }: { roles?: readonly Role[]; children: ReactNode }) {
  const { me } = useSession();
  const { t } = useI18n();
  if (!mayOpen(me ?? null, roles))
    return <Result status="403" title={t('notAllowed.title')} subTitle={t('notAllowed.text')} />;
  return children;
}

function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title={t('notFound.title')} />;
}

export default function App() {
  return (
    <I18nProvider>
      <AntApp>
        <AuthProvider>
          <BrowserRouter>
            <Suspense fallback={<Spin fullscreen />}>
              <Routes>
                <Route path="/sign-in" element={<SignInPage />} />
                <Route
                  element={
                    <RequireSession>
                      <AppLayout />
                    </RequireSession>
                  }
                >
                  <Route index element={<Navigate to="/files" replace />} />
                  {PAGES.map(({ path, roles, Page }) => (
                    <Route
                      key={path}
                      path={`${path}/*`}
                      element={
                        <RequireRole roles={roles}>
                          <Page />
                        </RequireRole>
                      }
                    />
                  ))}
                  <Route path="*" element={<NotFound />} />
                </Route>
              </Routes>
            </Suspense>
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </I18nProvider>
  );
}
