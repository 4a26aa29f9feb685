import type { FormInstance } from 'antd';

/**
 * Marks one field of a form with a message (a 400's `data.field`, or a check of the page's own).
 * antd types field names per form; the API names fields with plain strings, hence the loose form.
 */
export function setFieldError(form: FormInstance, name: string | (string | number)[], message: string): void {
  form.setFields([{ name, errors: [message] }]);
}
