import { assertValidQuery } from '../collection-definition';
import { CollectionDefinition, Comparison, Filter, FindOptions, Scalar } from '../read-store.port';

/** Column holding a declared field (dots cannot appear in SQL identifiers). */
export function columnOf(field: string): string {
  return field === 'id' ? 'id' : `"f_${field.replace(/\./g, '__')}"`;
}

/** SQLite has no boolean type; both adapters compare booleans as such, so map them to 0/1. */
export function toSqlValue(value: unknown): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

const OPERATORS: Record<Exclude<keyof Comparison, '$in'>, string> = {
  $eq: '=',
  $ne: 'IS NOT',
  $gt: '>',
  $gte: '>=',
  $lt: '<',
  $lte: '<=',
};

export interface SqlFragment {
  sql: string;
  params: Array<string | number | null>;
}

/** Translates the port's filter subset to a parameterised WHERE clause over declared columns. */
export function translateFilter(collection: CollectionDefinition, filter: Filter, options: FindOptions = {}): SqlFragment {
  assertValidQuery(collection, filter, options);
  return translate(filter);
}

/** Call after translateFilter (which validates the sort fields). */
export function translateSort(options: FindOptions): string {
  if (!options.sort?.length) return '';
  return ` ORDER BY ${options.sort.map(([field, dir]) => `${columnOf(field)} ${dir === -1 ? 'DESC' : 'ASC'}`).join(', ')}`;
}

function translate(filter: Filter): SqlFragment {
  const parts: string[] = [];
  const params: SqlFragment['params'] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      const subs = (value as Filter[]).map(translate);
      if (subs.length === 0) {
        parts.push(key === '$and' ? '1' : '0');
        continue;
      }
      parts.push(`(${subs.map((s) => `(${s.sql})`).join(key === '$and' ? ' AND ' : ' OR ')})`);
      subs.forEach((s) => params.push(...s.params));
      continue;
    }
    const column = columnOf(key);
    if (isComparison(value)) {
      for (const [op, operand] of Object.entries(value) as Array<[keyof Comparison, unknown]>) {
        if (operand === undefined) continue;
        if (op === '$in') {
          const list = operand as Scalar[];
          if (list.length === 0) {
            parts.push('0');
            continue;
          }
          const nonNull = list.filter((v) => v !== null);
          const clauses = nonNull.length ? [`${column} IN (${nonNull.map(() => '?').join(', ')})`] : [];
          if (nonNull.length !== list.length) clauses.push(`${column} IS NULL`);
          parts.push(`(${clauses.join(' OR ')})`);
          params.push(...nonNull.map(toSqlValue));
        } else if (!(op in OPERATORS)) {
          throw new Error(`Unsupported operator ${op}`);
        } else if (operand === null && op === '$eq') {
          parts.push(`${column} IS NULL`);
        } else {
          parts.push(`${column} ${OPERATORS[op]} ?`);
          params.push(toSqlValue(operand));
        }
      }
    } else if (value === null) {
      parts.push(`${column} IS NULL`);
    } else {
      parts.push(`${column} = ?`);
      params.push(toSqlValue(value));
    }
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

function isComparison(value: unknown): value is Comparison {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
