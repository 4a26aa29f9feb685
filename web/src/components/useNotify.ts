import { App } from 'antd';
import { useCallback } from 'react';
import { useI18n } from '../i18n/I18nProvider';

/**
 * Shows an API error as a message in the person's language. A 401 needs no message: the session
 * ends and the sign-in page says so. A 403 reads "Not allowed".
 */
export function useNotify() {
  const { message } = App.useApp();
  const { errorText } = useI18n();
  const error = useCallback(
    (err: unknown) => {
      if ((err as { status?: unknown }).status === 401) return;
      void message.error(errorText(err));
    },
    [message, errorText],
  );
  const success = useCallback((text: string) => void message.success(text), [message]);
  return { error, success };
}
