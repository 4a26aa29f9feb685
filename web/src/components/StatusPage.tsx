import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';
import { useI18n } from '../i18n/I18nProvider';

/**
 * The "not allowed" and "not found" pages: what happened and the way back to the person's files.
 * Their own chunk (App.tsx loads them lazily): antd's Result carries its illustrations, which
 * nobody needs on the way in.
 */
export default function StatusPage({ status }: { status: '403' | '404' }) {
  const { t } = useI18n();
  return (
    <Result
      status={status}
      title={status === '403' ? t('notAllowed.title') : t('notFound.title')}
      subTitle={status === '403' ? t('notAllowed.text') : t('notFound.text')}
      extra={
        <Link to="/files">
          <Button type="primary">{t('common.backToFiles')}</Button>
        </Link>
      }
    />
  );
}
