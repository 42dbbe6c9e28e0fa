import { assertValidQuery } from '../collection-definition';
import { CollectionDefinition, Filter, FindOptions } from '../read-store.port';

/**
 * The port's filter subset is MongoDB's own; after the shared validation (which refuses any other
 * operator), only `id` is renamed and every condition goes into one `$and` so none overwrites another.
 */
export function translateFilter(collection: CollectionDefinition, filter: Filter, options: FindOptions = {}): Record<string, unknown> {
  assertValidQuery(collection, filter, options);
  return translate(filter);
}

/** Call after translateFilter (which validates the sort fields). */
export function translateSort(options: FindOptions): Record<string, 1 | -1> {
  const sort: Record<string, 1 | -1> = {};
  for (const [field, dir] of options.sort ?? []) sort[field === 'id' ? '_id' : field] = dir;
  return sort;
}

/** Matches no document (the meaning of an empty `$or`). */
const NOTHING = { _id: { $in: [] } };

function translate(filter: Filter): Record<string, unknown> {
  const conditions: Array<Record<string, unknown>> = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      const subs = (value as Filter[]).map(translate);
      if (subs.length === 0) {
        if (key === '$or') conditions.push(NOTHING);
        continue;
      }
      conditions.push({ [key]: subs });
    } else {
      conditions.push({ [key === 'id' ? '_id' : key]: value });
    }
  }
  if (conditions.length === 0) return {};
  return conditions.length === 1 ? conditions[0] : { $and: conditions };
}
