import { Space, Typography } from 'antd';
import type { ReactNode } from 'react';

/** The heading of a page (an h1, which the e2e tests and screen readers find by role). */
export function PageTitle({ children, extra }: { children: ReactNode; extra?: ReactNode }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 16 }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {children}
      </Typography.Title>
      {extra ? <Space>{extra}</Space> : null}
    </div>
  );
}
