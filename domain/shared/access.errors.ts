import { forbidden, unavailable } from './errors';

/** Role checks and a route whose service cannot answer now, shared by every context. */
export const AccessErrors = {
  adminRequired: () => forbidden('ADMIN_REQUIRED', 'this operation needs the ADMIN role'),
  auditorRequired: () => forbidden('AUDITOR_REQUIRED', 'operation logs are for the ADMIN and AUDITOR roles'),
  /** A 503 the caller should retry: the route exists but its service (or the gateway) is not ready. */
  serviceUnavailable: (message: string) => unavailable('SERVICE_UNAVAILABLE', message),
} as const;
