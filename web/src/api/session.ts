/**
 * The signed-in session: the JWT lives in sessionStorage (per tab, gone when the tab closes), never
 * in a cookie, so no request is sent with credentials the page did not attach itself (no CSRF).
 */
const KEY = 'ftc.token';

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when the API answers 401: the session is over (expired, revoked, user disabled). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function signalUnauthorized(): void {
  setToken(null);
  for (const l of unauthorizedListeners) l();
}
