import { useState, type ReactNode } from 'react';
import { Form, Modal, type FormInstance } from 'antd';
import { ApiError } from '../../../api/errors';
import { useNotify } from '../../../components/useNotify';
import { useI18n } from '../../../i18n/I18nProvider';
import { setFieldError } from './fieldError';

const badField = (e: ApiError) => (e.status === 400 ? e.field : undefined);

export interface FormModalProps<V> {
  /** The dialog's title; also the form's accessible name (tests and screen readers find it by it). */
  title: string;
  /** The form, when the caller watches its fields (Form.useWatch); else the modal makes its own. */
  form?: FormInstance<V>;
  initialValues?: Partial<V>;
  /** The confirm button's text (default: Save). */
  okText?: string;
  width?: number;
  /**
   * Saves. Throwing keeps the dialog open: an error `fieldOf` names a field for (by default a
   * 400's `data.field`) is shown on that field, anything else as a message.
   */
  onSubmit: (values: V, form: FormInstance<V>) => Promise<void>;
  fieldOf?: (e: ApiError) => string | undefined;
  /** Read the values without antd's rules (forms whose request builder checks them itself). */
  skipValidation?: boolean;
  onCancel: () => void;
  children: ReactNode;
}

/**
 * The admin pages' dialog with a form: vertical layout, Save/Cancel in the person's language, a
 * spinner while saving, and the API's field errors on their fields. Every admin create/edit dialog
 * (users, passwords, grants, job rules, service accounts, webhooks, schedules) is one of these.
 */
export function FormModal<V extends object>({
  title,
  form: given,
  initialValues,
  okText,
  width,
  onSubmit,
  fieldOf,
  skipValidation,
  onCancel,
  children,
}: FormModalProps<V>) {
  const { t } = useI18n();
  const notify = useNotify();
  const [own] = Form.useForm<V>();
  const form = given ?? own;
  const [saving, setSaving] = useState(false);

  const ok = async () => {
    let values: V;
    try {
      values = skipValidation ? (form.getFieldsValue(true) as V) : await form.validateFields();
    } catch {
      return; // antd marked the fields
    }
    setSaving(true);
    try {
      await onSubmit(values, form);
    } catch (e) {
      const field = e instanceof ApiError ? (fieldOf ?? badField)(e) : undefined;
      if (field && e instanceof ApiError) setFieldError(form, field, e.message);
      else notify.error(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      width={width}
      title={title}
      okText={okText ?? t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={saving}
      onOk={() => void ok()}
      onCancel={onCancel}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={initialValues} aria-label={title}>
        {children}
      </Form>
    </Modal>
  );
}
