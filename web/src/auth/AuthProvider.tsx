import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { auth } from '../api/resources';
import { getToken, onUnauthorized, setToken } from '../api/session';
import type { Me } from '../api/types';

interface Session {
  /** The signed-in user; null when signed out; undefined while the stored token is being checked. */
  me: Me | null | undefined;
  /** True when the last session ended by a 401 (expired or revoked), to say so on the sign-in page. */
  expired: boolean;
  signIn: (username: string, password: string) => Promise<Me>;
  signOut: () => void;
}

const Ctx = createContext<Session | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(() => (getToken() ? undefined : null));
  const [expired, setExpired] = useState(false);

  useEffect(
    () =>
      onUnauthorized(() => {
        setMe(null);
        setExpired(true);
      }),
    [],
  );

  // A reload keeps the tab's token: ask who it belongs to now (roles may have changed).
  useEffect(() => {
    if (me !== undefined) return;
    auth
      .me()
      .then(setMe)
      .catch(() => {
        setToken(null);
        setMe(null);
      });
  }, [me]);

  const signIn = useCallback(async (username: string, password: string) => {
    const answer = await auth.login(username, password);
    setToken(answer.token);
    setExpired(false);
    setMe(answer.user);
    return answer.user;
  }, []);

  const signOut = useCallback(() => {
    setToken(null);
    setExpired(false);
    setMe(null);
  }, []);

  const value = useMemo(() => ({ me, expired, signIn, signOut }), [me, expired, signIn, signOut]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useSession outside AuthProvider');
  return ctx;
}
