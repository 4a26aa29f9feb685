import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { App as AntApp, Spin } from 'antd';
import { AuthProvider, useSession } from './auth/AuthProvider';
import { mayOpen, type Role } from './auth/roles';
import { I18nProvider } from './i18n/I18nProvider';
import { AppLayout } from './layout/AppLayout';
import { PAGES } from './routes';
import type { ReactNode } from 'react';

// Lazy like every page: the entry chunk holds the frame only (see web/README.md, "Chunks").
const SignInPage = lazy(() => import('./pages/SignInPage'));
const StatusPage = lazy(() => import('./components/StatusPage'));

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
  if (!mayOpen(me ?? null, roles)) return <StatusPage status="403" />;
  return children;
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
                  <Route path="*" element={<StatusPage status="404" />} />
                </Route>
              </Routes>
            </Suspense>
          </BrowserRouter>
        </AuthProvider>
      </AntApp>
    </I18nProvider>
  );
}
