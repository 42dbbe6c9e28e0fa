import { createHash } from 'node:crypto';
import { CollectionDefinition, Filter, ProjectionDefinition } from './read-store.port';
import { UndeclaredFieldError } from './read-store.errors';

const NAME = /^[a-z][a-z0-9_]{0,62}$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function assertValidDefinition(definition: ProjectionDefinition): void {
  for (const collection of definition.collections) {
    if (!NAME.test(collection.name)) throw new Error(`Invalid collection name "${collection.name}"`);
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

/** Every field a filter mentions, for validation before translation. */
export function fieldsOf(filter: Filter): string[] {
  return Object.entries(filter).flatMap(([key, value]) =>
    key === '$and' || key === '$or' ? (value as Filter[]).flatMap(fieldsOf) : [key],
  );
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
