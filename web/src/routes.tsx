import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import {
  ApiOutlined,
  ApartmentOutlined,
  AppstoreOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  ExportOutlined,
  FieldTimeOutlined,
  FolderOpenOutlined,
  KeyOutlined,
  RobotOutlined,
  ScheduleOutlined,
} from '@ant-design/icons';
import type { MessageKey } from './i18n/messages';
import type { Role } from './auth/roles';

/**
 * Every page of the console: its path, its menu entry and who may open it. The navigation shows
 * only the pages the signed-in user may open; a page opened by URL without the role shows "not
 * allowed". Each page is its own chunk (React.lazy), so a user never downloads the admin pages.
 */
export interface PageRoute {
  path: string;
  nav: MessageKey;
  icon: ReactNode;
  group: 'user' | 'admin';
  /** Roles of which the user needs one; absent: every signed-in user. */
  roles?: readonly Role[];
  Page: LazyExoticComponent<ComponentType>;
}

export const PAGES: readonly PageRoute[] = [
  {
    path: '/files',
    nav: 'nav.files',
    icon: <FolderOpenOutlined />,
    group: 'user',
    Page: lazy(() => import('./pages/FilesPage')),
  },
  {
    path: '/exports/new',
    nav: 'nav.newExport',
    icon: <ExportOutlined />,
    group: 'user',
    Page: lazy(() => import('./pages/NewExportPage')),
  },
  {
    path: '/upload',
    nav: 'nav.upload',
    icon: <CloudUploadOutlined />,
    group: 'user',
    Page: lazy(() => import('./pages/UploadPage')),
  },
  {
    path: '/export-schedules',
    nav: 'nav.schedules',
    icon: <FieldTimeOutlined />,
    group: 'user',
    Page: lazy(() => import('./pages/ExportSchedulesPage')),
  },
  {
    path: '/admin/biz-types',
    nav: 'nav.bizTypes',
    icon: <AppstoreOutlined />,
    group: 'admin',
    roles: ['ADMIN'],
    Page: lazy(() => import('./pages/admin/BizTypesPage')),
  },
  {
    path: '/admin/permissions',
    nav: 'nav.permissions',
    icon: <KeyOutlined />,
    group: 'admin',
    roles: ['ADMIN'],
    Page: lazy(() => import('./pages/admin/PermissionsPage')),
  },
  {
    path: '/admin/directory',
    nav: 'nav.directory',
    icon: <ApartmentOutlined />,
    group: 'admin',
    roles: ['ADMIN'],
    Page: lazy(() => import('./pages/admin/DirectoryPage')),
  },
  {
    path: '/admin/logs',
    nav: 'nav.logs',
    icon: <AuditOutlined />,
    group: 'admin',
    roles: ['ADMIN', 'AUDITOR'],
    Page: lazy(() => import('./pages/admin/OperationLogsPage')),
  },
  {
    path: '/admin/scheduled-tasks',
    nav: 'nav.scheduled',
    icon: <ScheduleOutlined />,
    group: 'admin',
    roles: ['ADMIN'],
    Page: lazy(() => import('./pages/admin/ScheduledTasksPage')),
  },
  {
    path: '/admin/service-accounts',
    nav: 'nav.serviceAccounts',
    icon: <RobotOutlined />,
    group: 'admin',
    roles: ['ADMIN'],
    Page: lazy(() => import('./pages/admin/ServiceAccountsPage')),
  },
  {
    path: '/admin/webhooks',
    nav: 'nav.webhooks',
    icon: <ApiOutlined />,
    group: 'admin',
    roles: ['ADMIN'],
    Page: lazy(() => import('./pages/admin/WebhooksPage')),
  },
];
