/** Shapes of the REST API (../shared/API.md), as the console reads them. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  id: string;
  username: string;
  roles: string[];
  unitId: string | null;
}

export interface LoginAnswer {
  token: string;
  expiresAt: string;
  user: Me;
}

export type FileTaskKind = 'FILE' | 'EXPORT';
export type FileTaskStatus = 'PENDING' | 'EXPORTING' | 'SUCCESS' | 'FAILED' | 'CANCELLED' | 'EXPIRED';
export const FILE_TASK_STATUSES: readonly FileTaskStatus[] = [
  'PENDING',
  'EXPORTING',
  'SUCCESS',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
];

export interface ExportManifest {
  columns?: { key: string; header?: string; masked?: boolean; mask?: string | null }[];
  rows?: number;
  sha256?: string;
  [field: string]: unknown;
}

export interface FileTask {
  id: string;
  kind: FileTaskKind;
  bizType: string;
  bizDomain: string | null;
  name: string;
  status: FileTaskStatus;
  createdBy: string;
  unitId: string | null;
  createdAt: string;
  updatedAt: string;
  file: { size: number; sha256: string; contentType: string } | null;
  export: {
    format: string;
    filters: Record<string, unknown>;
    columns: string[];
    /** The zone of the file's date-times and the language of its headers (API.md v1.1). */
    timeZone?: string;
    locale?: string | null;
    rowCount: number | null;
    progress: { rows: number; total: number | null };
    failureReason: string | null;
    failureMessage: string | null;
    attempts: number;
    manifest: ExportManifest | null;
    /** A FAILED export that runs again (a retry or an outage wait): not final. Added after v1.1. */
    willRetry?: boolean;
  } | null;
}

export type FilterOp = '=' | '!=' | 'in' | '>=' | '>' | '<=' | '<' | 'like';
export type FilterValueType = 'string' | 'number' | 'datetime' | 'boolean';
export interface FilterSpec {
  column?: string;
  op: FilterOp;
  type?: FilterValueType;
}

export type ColumnType = 'string' | 'integer' | 'decimal' | 'date' | 'datetime' | 'boolean';
export interface ExportColumn {
  key: string;
  header: string;
  headers?: Record<string, string>;
  type: ColumnType;
  format?: string;
  dict?: Record<string, string>;
  /** The dictionary's labels per locale (`{"zh-CN": {"1": "已支付"}}`), falling back to `dict`. */
  dicts?: Record<string, Record<string, string>>;
  mask?: string;
  restricted?: boolean;
  width?: number;
}

export interface ExportBizType {
  code: string;
  name: string;
  kind: 'EXPORT';
  dataHandler: { type: string; filters?: Record<string, FilterSpec>; [option: string]: unknown };
  columns: ExportColumn[];
  rules: {
    formats: string[];
    maxRows: number;
    retentionDays: number;
    columnPermission: boolean;
    rowScope: { column: string } | null;
    [rule: string]: unknown;
  };
  version?: number;
}

export interface FileBizType {
  code: string;
  name: string;
  kind: 'FILE';
  rules: {
    maxSize: number | null;
    contentTypes: string[];
    retentionDays: number | null;
    [rule: string]: unknown;
  };
  version?: number;
}

export type BizType = ExportBizType | FileBizType;

/** `GET /api/biz-types/:code/export-columns`: the columns this caller would get. */
export interface ExportColumnsAnswer {
  bizType: string;
  mayExport: boolean;
  columns: { key: string; header: string; restricted: boolean; available: boolean }[];
}

export interface UnitNode {
  id: string;
  name: string;
  parentId: string | null;
  children?: UnitNode[];
}

/** `POST /api/exports/preview`: the rows and columns an export would have now (API.md v1.1). */
export interface ExportPreview {
  /** null: the data source cannot count in advance. */
  estimatedRows: number | null;
  columns: { key: string; header: string; type?: string }[];
  maxRows?: number;
  withinMaxRows?: boolean;
  message?: string | null;
  timeZone?: string;
  locale?: string | null;
}
