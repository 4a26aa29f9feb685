/**
 * fastest-validator rules (the `params` of Moleculer actions) as JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1. Only what the rules say is carried over; a type this does not know becomes `{}`
 * (anything), never a guess. No library converts these rules, and the mapping is small.
 */
export type JsonSchema = Record<string, unknown>;
type Rule = string | Record<string, unknown> | Rule[];

/** `"string|min:1|max:64|optional"` → `{type: "string", min: 1, max: 64, optional: true}`. */
export function parseShorthand(rule: string): Record<string, unknown> {
  const [type, ...rest] = rule.split('|');
  const out: Record<string, unknown> = { type: type.trim() };
  for (const part of rest) {
    const i = part.indexOf(':');
    if (i < 0) out[part.trim()] = true;
    else {
      const v = part.slice(i + 1).trim();
      out[part.slice(0, i).trim()] =
        v === 'true' ? true : v === 'false' ? false : Number.isNaN(Number(v)) ? v : Number(v);
    }
  }
  return out;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const defined = (o: JsonSchema): JsonSchema =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function typed(r: Record<string, unknown>): JsonSchema {
  switch (r.type) {
    case 'string':
      return defined({
        type: 'string',
        minLength: num(r.min) ?? (r.empty === false ? 1 : undefined),
        maxLength: num(r.max),
        ...(num(r.length) !== undefined ? { minLength: r.length, maxLength: r.length } : {}),
        enum: Array.isArray(r.enum) ? r.enum : undefined,
        pattern: typeof r.pattern === 'string' ? r.pattern : undefined,
      });
    case 'number':
      return defined({
        type: r.integer ? 'integer' : 'number',
        minimum: num(r.min) ?? (r.positive ? 0 : undefined),
        exclusiveMinimum: r.positive && num(r.min) === undefined ? 0 : undefined,
        maximum: num(r.max),
      });
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date-time' };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'url':
      return { type: 'string', format: 'uri' };
    case 'uuid':
      return { type: 'string', format: 'uuid' };
    case 'equal':
      return { const: r.value };
    case 'enum':
      return Array.isArray(r.values) ? { enum: r.values } : {};
    case 'array':
      return defined({
        type: 'array',
        items: r.items !== undefined ? toJsonSchema(r.items as Rule) : undefined,
        minItems: num(r.min) ?? (r.empty === false ? 1 : undefined),
        maxItems: num(r.max),
      });
    case 'object': {
      const props = (r.props ?? r.properties) as Record<string, Rule> | undefined;
      return props ? objectSchema(props) : { type: 'object' };
    }
    case 'multi':
      return Array.isArray(r.rules) ? { anyOf: r.rules.map((x: Rule) => toJsonSchema(x)) } : {};
    default:
      return {}; // any, custom, or a type this does not know: anything
  }
}

/** One rule (shorthand, object, or a list of alternatives) as a schema. */
export function toJsonSchema(rule: Rule): JsonSchema {
  if (Array.isArray(rule)) return { anyOf: rule.map(toJsonSchema) };
  const r = typeof rule === 'string' ? parseShorthand(rule) : rule;
  // A rule that checks only the shape (`any`, values judged by the domain) may say what it takes.
  let s = r.openapi && typeof r.openapi === 'object' ? (r.openapi as JsonSchema) : typed(r);
  if (r.default !== undefined && typeof r.default !== 'function') s = { ...s, default: r.default };
  if (r.nullable) s = Object.keys(s).length ? { anyOf: [s, { type: 'null' }] } : s;
  return s;
}

/** Whether a rule may be left out. */
export function isOptional(rule: Rule): boolean {
  if (Array.isArray(rule)) return rule.every(isOptional);
  const r = typeof rule === 'string' ? parseShorthand(rule) : rule;
  return r.optional === true || r.default !== undefined;
}

/** A `params` object (field → rule; `$$` keys are the validator's own) as an object schema. */
export function objectSchema(params: Record<string, Rule>, omit: readonly string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [k, rule] of Object.entries(params)) {
    if (k.startsWith('$$') || omit.includes(k)) continue;
    properties[k] = toJsonSchema(rule);
    if (!isOptional(rule)) required.push(k);
  }
  return defined({ type: 'object', properties, required: required.length ? required : undefined });
}
