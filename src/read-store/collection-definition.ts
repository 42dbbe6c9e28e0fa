import { createHash } from 'node:crypto';
import { CollectionDefinition, Comparison, FieldType, Filter, FindOptions, ProjectionDefinition } from './read-store.port';
import { InvalidQueryError, UndeclaredFieldError } from './read-store.errors';

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Names the adapters use for their own bookkeeping. */
const RESERVED_PREFIX = 'projection_';
const COMPARISON_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in']);
const ORDERING_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function assertValidDefinition(definition: ProjectionDefinition): void {
  for (const collection of definition.collections) {
    if (!NAME.test(collection.name) || collection.name.startsWith(RESERVED_PREFIX)) {
      throw new Error(`Invalid collection name "${collection.name}" (lower snake_case, not starting with ${RESERVED_PREFIX})`);
    }
    for (const field of Object.keys(collection.fields)) {
      if (!FIELD.test(field) || field === 'id') throw new Error(`Invalid field "${field}" in ${collection.name}`);
    }
    for (const index of collection.indexes) {
      if (!NAME.test(index.name)) throw new Error(`Invalid index name "${index.name}"`);
      for (const [field] of index.keys) assertDeclared(collection, field);
    }
  }
}

/** Stable fingerprint of a projection's collection definitions (detects edits without a version bump). */
export function definitionHash(definition: ProjectionDefinition): string {
  const canonical = definition.collections
    .map((c) => ({
      name: c.name,
      fields: Object.entries(c.fields).sort(([a], [b]) => a.localeCompare(b)),
      indexes: [...c.indexes].sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export function assertDeclared(collection: CollectionDefinition, field: string): void {
  if (field !== 'id' && !(field in collection.fields)) throw new UndeclaredFieldError(collection.name, field);
}

/**
 * Checks a filter against the port's query language before any adapter translates it: declared
 * fields only, the port's operators only, operands of the field's declared type. Both adapters thus
 * accept and reject exactly the same filters (no operator pass-through to MongoDB).
 */
export function assertValidQuery(collection: CollectionDefinition, filter: Filter, options: FindOptions = {}): void {
  checkFilter(collection, filter);
  for (const [field, direction] of options.sort ?? []) {
    assertDeclared(collection, field);
    if (direction !== 1 && direction !== -1) throw new InvalidQueryError(`Sort direction of ${field} must be 1 or -1`);
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw new InvalidQueryError('limit must be a non-negative integer');
  }
  if (options.skip !== undefined && (!Number.isInteger(options.skip) || options.skip < 0)) {
    throw new InvalidQueryError('skip must be a non-negative integer');
  }
  if (options.hint !== undefined && !collection.indexes.some((i) => i.name === options.hint)) {
    throw new InvalidQueryError(`${collection.name} declares no index named ${options.hint}`);
  }
}

function checkFilter(collection: CollectionDefinition, filter: Filter): void {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new InvalidQueryError('A filter must be an object');
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) throw new InvalidQueryError(`${key} takes an array of filters`);
      value.forEach((sub) => checkFilter(collection, sub));
      continue;
    }
    if (key.startsWith('$')) throw new InvalidQueryError(`Unsupported operator ${key}`);
    assertDeclared(collection, key);
    const type: FieldType = key === 'id' ? 'string' : collection.fields[key];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [op, operand] of Object.entries(value as Comparison)) {
        if (operand === undefined) continue;
        if (!COMPARISON_OPERATORS.has(op)) throw new InvalidQueryError(`Unsupported operator ${op} on ${key}`);
        if (op === '$in') {
          if (!Array.isArray(operand)) throw new InvalidQueryError(`$in on ${key} takes an array`);
          operand.forEach((v) => checkOperand(key, type, v, true));
        } else {
          checkOperand(key, type, operand, !ORDERING_OPERATORS.has(op));
        }
      }
    } else {
      checkOperand(key, type, value, true);
    }
  }
}

function checkOperand(field: string, type: FieldType, operand: unknown, nullAllowed: boolean): void {
  if (operand === null && nullAllowed) return;
  if (typeof operand !== type) throw new InvalidQueryError(`${field} is a ${type} field; got ${operand === null ? 'null' : typeof operand}`);
}

/** `_id`, `_pos`, `_deleted` and `_deletedAt` (a tombstone, ADR 018) are the adapters' own bookkeeping fields. */
export function assertStorableDocument(doc: { id: string }): void {
  if ('_id' in doc || '_pos' in doc || '_deleted' in doc || '_deletedAt' in doc) throw new Error(`Document ${doc.id}: "_id", "_pos", "_deleted" and "_deletedAt" are reserved field names`);
}

/** Reads a dot path out of a document. */
export function valueAt(doc: Record<string, unknown>, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
