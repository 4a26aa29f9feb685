import { Result } from 'antd';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { PageTitle } from './PageTitle';

/** A page still being built: its title and a note, so navigation and role checks can be tested. */
export function Placeholder({ title }: { title: MessageKey }) {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t(title)}</PageTitle>
      <Result status="info" title={t('common.comingSoon')} />
    </>
  );
}
