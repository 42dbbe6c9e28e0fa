import { assertDeclared, fieldsOf } from '../collection-definition';
import { CollectionDefinition, Filter, FindOptions } from '../read-store.port';

/** The port's filter subset is MongoDB's own; only `id` is renamed, after the same field checks. */
export function translateFilter(collection: CollectionDefinition, filter: Filter): Record<string, unknown> {
  for (const field of fieldsOf(filter)) assertDeclared(collection, field);
  return rename(filter);
}

export function translateSort(collection: CollectionDefinition, options: FindOptions): Record<string, 1 | -1> {
  const sort: Record<string, 1 | -1> = {};
  for (const [field, dir] of options.sort ?? []) {
    assertDeclared(collection, field);
    sort[field === 'id' ? '_id' : field] = dir;
  }
  return sort;
}

function rename(filter: Filter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      const subs = (value as Filter[]).map(rename);
      // MongoDB rejects empty $and/$or; keep the port's meaning (true / false).
      if (subs.length === 0) {
        if (key === '$or') out._id = { $in: [] };
        continue;
      }
      out[key] = subs;
    } else {
      out[key === 'id' ? '_id' : key] = value;
    }
  }
  return out;
}
