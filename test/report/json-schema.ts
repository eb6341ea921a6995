/** A minimal JSON Schema (2020-12) validator and path helpers for report.json tests (the keywords zod's toJSONSchema emits here). */
type Schema = Record<string, unknown> | boolean;

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    default:
      throw new Error(`validator: unknown type ${t}`);
  }
}

const KNOWN = new Set(['$schema', '$id', 'title', 'description', 'type', 'properties', 'required', 'additionalProperties', 'items', 'anyOf', 'const', 'enum', 'minimum', 'maximum', 'propertyNames', 'default', 'prefixItems', 'minItems', 'maxItems']);

export function validate(schema: Schema, v: unknown, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`validator: keyword ${k} not supported (at ${path})`);
  const errs: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeOk(t, v))) return [`${path}: expected ${types.join('|')}, got ${v === null ? 'null' : typeof v}`];
  }
  if ('const' in schema && v !== schema.const) errs.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !(schema.enum as unknown[]).includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) errs.push(`${path}: below minimum`);
    if (typeof schema.maximum === 'number' && v > schema.maximum) errs.push(`${path}: above maximum`);
  }
  if (schema.anyOf) {
    const branches = (schema.anyOf as Schema[]).map((s) => validate(s, v, path));
    if (!branches.some((b) => b.length === 0)) errs.push(`${path}: matches no anyOf branch (${branches.map((b) => b[0]).join(' / ')})`);
  }
  if (typeOk('object', v)) {
    const o = v as Record<string, unknown>;
    for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${path}: missing required "${r}"`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, val] of Object.entries(o)) {
      if (k in props) errs.push(...validate(props[k], val, `${path}.${k}`));
      else if (schema.additionalProperties !== undefined) errs.push(...validate(schema.additionalProperties as Schema, val, `${path}.${k}`));
      if (schema.propertyNames) errs.push(...validate(schema.propertyNames as Schema, k, `${path}[key ${k}]`));
    }
  }
  if (Array.isArray(v)) {
    // Tuples: prefixItems validate the leading elements, items (possibly false) the rest.
    const prefix = (schema.prefixItems as Schema[] | undefined) ?? [];
    v.forEach((x, i) => {
      if (i < prefix.length) errs.push(...validate(prefix[i], x, `${path}[${i}]`));
      else if (schema.items !== undefined) errs.push(...validate(schema.items as Schema, x, `${path}[${i}]`));
    });
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) errs.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) errs.push(`${path}: more than ${schema.maxItems} items`);
  }
  return errs;
}

/** Values at a promised path (fanning out over arrays). */
export function valuesAt(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  for (const part of path.split('.')) {
    const arr = part.endsWith('[]');
    const key = arr ? part.slice(0, -2) : part;
    cur = cur.flatMap((o) => {
      if (o === null || typeof o !== 'object' || !(key in (o as object))) throw new Error(`missing ${key} in ${path}`);
      const v = (o as Record<string, unknown>)[key];
      if (arr) {
        if (!Array.isArray(v) || v.length === 0) throw new Error(`${path}: ${key} is not a non-empty array`);
        return v;
      }
      return [v];
    });
  }
  return cur;
}

/** The sub-schema of a promised path: follows properties / items / nullable anyOf branches. */
export function schemaAt(schema: Record<string, unknown>, path: string): Record<string, unknown> {
  let cur = schema;
  const deref = (s: Record<string, unknown>): Record<string, unknown> => {
    if (s.anyOf) return (s.anyOf as Record<string, unknown>[]).find((b) => b.type !== 'null') ?? s;
    return s;
  };
  for (const part of path.split('.')) {
    const arr = part.endsWith('[]');
    const key = arr ? part.slice(0, -2) : part;
    cur = deref(cur);
    const props = cur.properties as Record<string, Record<string, unknown>> | undefined;
    if (!props?.[key]) throw new Error(`schema has no ${key} (in ${path})`);
    if (!(cur.required as string[]).includes(key)) throw new Error(`schema does not require ${key} (in ${path})`);
    cur = props[key];
    if (arr) cur = deref(cur).items as Record<string, unknown>;
  }
  return cur;
}

