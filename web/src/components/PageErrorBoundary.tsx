import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Alert, Button } from 'antd';
import { useI18n } from '../i18n/I18nProvider';

function Failed({ error }: { error: Error }) {
  const { t } = useI18n();
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={t('app.pageFailed')}
      description={error.message}
      action={
        <Button size="small" onClick={() => window.location.reload()}>
          {t('app.reload')}
        </Button>
      }
    />
  );
}

/**
 * A page that throws while rendering, or whose chunk cannot be loaded (a new release replaced the
 * hashed files, the network dropped), shows what failed and a reload inside the frame, instead of
 * a blank window. AppLayout keys it by path, so the next page starts clean.
 */
export class PageErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(error, info.componentStack);
  }

  override render() {
    return this.state.error ? <Failed error={this.state.error} /> : this.props.children;
  }
}
