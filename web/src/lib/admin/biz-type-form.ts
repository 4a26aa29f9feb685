/**
 * The biz type editor's form values and the body of PUT /api/biz-types/:code, both ways, and the
 * API's `data.field` of a 400 mapped onto the form field that shows it. Pure.
 *
 * Fields the form does not edit (rules added by later versions such as quotas or lifecycle, a
 * column's per-language headers or width, a custom data handler's options) are carried over from
 * the biz type as it was read, so saving through the console never drops them.
 */
export type Kind = 'EXPORT' | 'FILE';
export const COLUMN_TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean'] as const;
export const MASKS = ['phone', 'email', 'idcard', 'bankcard', 'name'] as const;
export const FILTER_OPS = ['=', '!=', 'in', '>=', '>', '<=', '<', 'like'] as const;
export const FILTER_TYPES = ['string', 'number', 'datetime', 'boolean'] as const;
export const FORMATS = ['xlsx', 'csv'] as const;

type Obj = Record<string, unknown>;

/** A biz type as GET /api/biz-types/:code answers it (only what the editor reads is typed). */
export interface BizTypeView {
  code: string;
  name: string;
  kind: Kind;
  version?: number;
  updatedAt?: string;
  dataHandler?: Obj & { type: string; filters?: Record<string, Obj> };
  columns?: (Obj & { key: string; header: string; type: string })[];
  rules?: Obj;
}

export interface ColumnValues {
  key: string;
  header: string;
  type: string;
  format?: string;
  /** One `value=label` a line. */
  dict?: string;
  mask?: string;
  restricted?: boolean;
}

export interface FilterValues {
  name: string;
  column?: string;
  op: string;
  type?: string;
}

export interface BizTypeFormValues {
  code: string;
  name: string;
  kind: Kind;
  handlerType?: string;
  source?: string;
  table?: string;
  key?: string;
  action?: string;
  filters?: FilterValues[];
  columns?: ColumnValues[];
  formats?: string[];
  maxRows?: number | null;
  retentionDays?: number | null;
  columnPermission?: boolean;
  rowScopeColumn?: string;
  csvBom?: boolean;
  maxSize?: number | null;
  contentTypes?: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const blank = (s: string | undefined): s is undefined => s === undefined || s.trim() === '';

export function dictToText(dict: unknown): string | undefined {
  if (typeof dict !== 'object' || dict === null) return undefined;
  return Object.entries(dict as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
}

/** `value=label` lines (the first `=` splits; blank lines are skipped); undefined when empty. */
export function textToDict(text: string | undefined): Record<string, string> | undefined {
  if (blank(text)) return undefined;
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const at = line.indexOf('=');
    if (at < 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function emptyForm(kind: Kind): BizTypeFormValues {
  return kind === 'FILE'
    ? { code: '', name: '', kind, contentTypes: [] }
    : {
        code: '',
        name: '',
        kind,
        handlerType: 'sql',
        filters: [],
        columns: [{ key: '', header: '', type: 'string' }],
        formats: ['xlsx', 'csv'],
        maxRows: 5_000_000,
        retentionDays: 7,
        columnPermission: true,
        csvBom: false,
      };
}

export function toFormValues(b: BizTypeView): BizTypeFormValues {
  const r = b.rules ?? {};
  if (b.kind === 'FILE')
    return {
      code: b.code,
      name: b.name,
      kind: 'FILE',
      maxSize: num(r.maxSize),
      retentionDays: num(r.retentionDays),
      contentTypes: Array.isArray(r.contentTypes) ? (r.contentTypes as string[]) : [],
    };
  const h = b.dataHandler ?? { type: 'sql' };
  const rowScope = r.rowScope as { column?: string } | null | undefined;
  return {
    code: b.code,
    name: b.name,
    kind: 'EXPORT',
    handlerType: h.type,
    source: str(h.source),
    table: str(h.table),
    key: str(h.key),
    action: str(h.action),
    filters: Object.entries(h.filters ?? {}).map(([name, f]) => ({
      name,
      column: str(f.column),
      op: str(f.op) ?? '=',
      type: str(f.type) ?? 'string',
    })),
    columns: (b.columns ?? []).map((c) => ({
      key: c.key,
      header: c.header,
      type: c.type,
      format: str(c.format),
      dict: dictToText(c.dict),
      mask: str(c.mask),
      restricted: c.restricted === true,
    })),
    formats: Array.isArray(r.formats) ? (r.formats as string[]) : ['xlsx', 'csv'],
    maxRows: num(r.maxRows),
    retentionDays: num(r.retentionDays),
    columnPermission: r.columnPermission !== false,
    rowScopeColumn: rowScope?.column,
    csvBom: r.csvBom === true,
  };
}

/** Leaves out undefined and null values (the API takes absent for "default"). */
function defined(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}

/**
 * The PUT body (without the code, which is in the path). `version` is sent when editing so a
 * save over someone else's change answers 409 instead of overwriting it.
 */
export function toRequestBody(v: BizTypeFormValues, original?: BizTypeView): Obj {
  const keptRules = { ...(original?.rules ?? {}) };
  const version = original?.version;
  if (v.kind === 'FILE') {
    delete keptRules.maxSize;
    delete keptRules.retentionDays;
    return defined({
      name: v.name,
      kind: 'FILE',
      version,
      rules: defined({
        ...keptRules,
        maxSize: v.maxSize,
        retentionDays: v.retentionDays,
        contentTypes: (v.contentTypes ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean),
      }),
    });
  }
  for (const k of ['maxRows', 'retentionDays', 'rowScope']) delete keptRules[k];
  const handlerType = v.handlerType ?? 'sql';
  const withColumn = handlerType !== 'action';
  const filters = Object.fromEntries(
    (v.filters ?? []).map((f) => [
      f.name.trim(),
      defined({ column: withColumn ? f.column?.trim() : undefined, op: f.op, type: f.type }),
    ]),
  );
  const base: Obj =
    original?.dataHandler && original.dataHandler.type === handlerType ? { ...original.dataHandler } : {};
  const dataHandler =
    handlerType === 'sql'
      ? {
          ...base,
          type: 'sql',
          source: v.source?.trim(),
          table: v.table?.trim(),
          key: v.key?.trim(),
          filters,
        }
      : handlerType === 'action'
        ? { ...base, type: 'action', action: v.action?.trim(), filters }
        : { ...base, type: handlerType };
  const before = new Map((original?.columns ?? []).map((c) => [c.key, c]));
  const columns = (v.columns ?? []).map((c) => {
    const kept: Obj = { ...(before.get(c.key) ?? {}) };
    for (const k of ['format', 'dict', 'mask', 'restricted']) delete kept[k];
    return defined({
      ...kept,
      key: c.key?.trim(),
      header: c.header,
      type: c.type,
      format: blank(c.format) ? undefined : c.format,
      dict: textToDict(c.dict),
      mask: c.mask || undefined,
      restricted: c.restricted ? true : undefined,
    });
  });
  return defined({
    name: v.name,
    kind: 'EXPORT',
    version,
    dataHandler: defined(dataHandler),
    columns,
    rules: defined({
      ...keptRules,
      formats: v.formats,
      maxRows: v.maxRows,
      retentionDays: v.retentionDays,
      columnPermission: v.columnPermission !== false,
      rowScope: blank(v.rowScopeColumn) ? null : { column: v.rowScopeColumn.trim() },
      csvBom: v.csvBom === true,
    }),
  });
}

export type NamePath = string | (string | number)[];

const RULE_FIELDS: Record<string, string> = {
  'rules.formats': 'formats',
  'rules.maxRows': 'maxRows',
  'rules.retentionDays': 'retentionDays',
  'rules.columnPermission': 'columnPermission',
  'rules.rowScope': 'rowScopeColumn',
  'rules.rowScope.column': 'rowScopeColumn',
  'rules.csvBom': 'csvBom',
  'rules.maxSize': 'maxSize',
  'rules.contentTypes': 'contentTypes',
  'dataHandler.type': 'handlerType',
  'dataHandler.source': 'source',
  'dataHandler.table': 'table',
  'dataHandler.key': 'key',
  'dataHandler.action': 'action',
  code: 'code',
  name: 'name',
  kind: 'kind',
};
const COLUMN_FIELDS = new Set(['key', 'header', 'type', 'format', 'dict', 'mask', 'restricted']);

/**
 * The form field a 400's `data.field` names (metadata.put reports `columns[2].type`,
 * `dataHandler.filters.status.op`, `rules.maxRows`…), or null when no single field shows it (the
 * message then goes above the form).
 */
export function formFieldOf(apiField: string | undefined, v: BizTypeFormValues): NamePath | null {
  if (!apiField) return null;
  if (RULE_FIELDS[apiField]) return RULE_FIELDS[apiField];
  const col = /^columns\[(\d+)\](?:\.([a-z]+))?/.exec(apiField);
  if (col) {
    const i = Number(col[1]);
    if (i >= (v.columns?.length ?? 0)) return null;
    return ['columns', i, col[2] && COLUMN_FIELDS.has(col[2]) ? col[2] : 'key'];
  }
  const filter = /^dataHandler\.filters\.([A-Za-z0-9_]+)(?:\.(column|op|type))?$/.exec(apiField);
  if (filter) {
    const i = (v.filters ?? []).findIndex((f) => f.name.trim() === filter[1]);
    if (i < 0) return null;
    return ['filters', i, filter[2] ?? 'name'];
  }
  return null;
}
