import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ConfigProvider } from 'antd';
// The ES builds: antd/locale/* are CommonJS re-exports whose default import, under Vite 8's
// Node-style interop for a "type": "module" package, is the module object ({default: locale}), so
// ConfigProvider got no DatePicker locale and pickers stayed English ("Start date") in zh-CN.
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { translate, type Lang, type MessageKey } from './messages';
import { describeError } from '../api/errors';

const STORAGE_KEY = 'ftc.lang';

/** The remembered choice, else the browser's language (Chinese for any zh-*, else English). */
function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    /* storage blocked: fall through */
  }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export type T = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: T;
  /** An error as a sentence in the current language (see describeError). */
  errorText: (err: unknown) => string;
  /** An ISO instant in the person's own time zone and language. */
  formatDate: (iso: string | null | undefined) => string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* not remembered, still switched */
    }
  }, []);
  const value = useMemo<I18n>(() => {
    const t: T = (key, values) => translate(lang, key, values);
    const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
    return {
      lang,
      setLang,
      t,
      errorText: (err) => {
        const d = describeError(err);
        return t(d.key, d.values);
      },
      formatDate: (iso) => (iso ? dateFormat.format(new Date(iso)) : t('common.none')),
    };
  }, [lang, setLang]);
  dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
  document.documentElement.lang = lang;
  return (
    <Ctx.Provider value={value}>
      <ConfigProvider locale={lang === 'zh-CN' ? zhCN : enUS}>{children}</ConfigProvider>
    </Ctx.Provider>
  );
}

export function useI18n(): I18n {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
