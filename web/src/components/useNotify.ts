import { App } from 'antd';
import { useMemo } from 'react';
import { useI18n } from '../i18n/I18nProvider';

/**
 * Shows an API error as a message in the person's language. A 401 needs no message: the session
 * ends and the sign-in page says so. A 403 reads "Not allowed". The returned object is stable
 * (per language), so it can sit in effect dependencies.
 */
export function useNotify() {
  const { message } = App.useApp();
  const { errorText } = useI18n();
  return useMemo(
    () => ({
      error: (err: unknown) => {
        if ((err as { status?: unknown } | null)?.status === 401) return;
        void message.error(errorText(err));
      },
      success: (text: string) => void message.success(text),
    }),
    [message, errorText],
  );
}
