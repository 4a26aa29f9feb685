import { ValidationErrors } from './validation.errors';

/** C0/C1 controls, DEL, and the Unicode bidi overrides that can disguise a name on screen. */
// eslint-disable-next-line no-control-regex
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A trimmed display name of 1..max characters with no control characters. */
export function displayText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') throw ValidationErrors.invalidField(field, `${field} must be a string`);
  const v = value.trim();
  if (v.length === 0 || v.length > max) {
    throw ValidationErrors.invalidField(field, `${field} must be 1 to ${max} characters`);
  }
  if (UNSAFE.test(v)) {
    throw ValidationErrors.invalidField(field, `${field} must not contain control characters`);
  }
  return v;
}
