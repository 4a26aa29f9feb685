import { Alert, Button, Modal, Typography } from 'antd';
import { useI18n } from '../../../i18n/I18nProvider';

/**
 * A credential the API answers once (a service account's token, a webhook's signing secret): the
 * value with a copy button and the warning that it cannot be read again. Closed only on purpose.
 */
export function SecretOnce({
  title,
  label,
  value,
  onClose,
}: {
  title: string;
  /** What the value is ("Token", "Signing secret"): its accessible name. */
  label: string;
  value: string;
  onClose: () => void;
}) {
  const { t } = useI18n();
  return (
    <Modal
      open
      title={title}
      closable={false}
      maskClosable={false}
      keyboard={false}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('admin.secret.done')}
        </Button>
      }
    >
      <Alert type="warning" showIcon message={t('admin.secret.once')} style={{ marginBottom: 16 }} />
      <Typography.Paragraph
        code
        aria-label={label}
        copyable={{ text: value, tooltips: [t('common.copy'), t('common.copied')] }}
        style={{ wordBreak: 'break-all' }}
      >
        {value}
      </Typography.Paragraph>
    </Modal>
  );
}
