import { Comparison, Filter, Scalar } from './read-store.port';

/**
 * Evaluates the port's filter subset against one document in memory, with the semantics both adapters
 * give it (an absent field is null; `$ne` matches null; order comparisons never match null). Lets a
 * live fan-out apply each subscriber's filter to events it read once for all of them.
 */
export function matchesFilter(doc: object, filter: Filter): boolean {
  for (const [key, condition] of Object.entries(filter)) {
    if (condition === undefined) continue;
    if (key === '$and') {
      if (!(condition as Filter[]).every((sub) => matchesFilter(doc, sub))) return false;
      continue;
    }
    if (key === '$or') {
      if (!(condition as Filter[]).some((sub) => matchesFilter(doc, sub))) return false;
      continue;
    }
    const value = valueAt(doc, key);
    if (isComparison(condition)) {
      if (!matchesComparison(value, condition)) return false;
    } else if (!sameScalar(value, condition as Scalar)) {
      return false;
    }
  }
  return true;
}

function matchesComparison(value: Scalar, comparison: Comparison): boolean {
  for (const [op, operand] of Object.entries(comparison) as Array<[keyof Comparison, unknown]>) {
    if (operand === undefined) continue;
    switch (op) {
      case '$eq':
        if (!sameScalar(value, operand as Scalar)) return false;
        break;
      case '$ne':
        if (sameScalar(value, operand as Scalar)) return false;
        break;
      case '$in':
        if (!(operand as Scalar[]).some((candidate) => sameScalar(value, candidate))) return false;
        break;
      default:
        if (value === null || !ordered(value, op, operand as string | number)) return false;
    }
  }
  return true;
}

function ordered(value: Exclude<Scalar, null>, op: '$gt' | '$gte' | '$lt' | '$lte', operand: string | number): boolean {
  if (typeof value !== typeof operand) return false;
  switch (op) {
    case '$gt':
      return value > operand;
    case '$gte':
      return value >= operand;
    case '$lt':
      return value < operand;
    case '$lte':
      return value <= operand;
  }
}

function sameScalar(value: Scalar, operand: Scalar): boolean {
  return (value ?? null) === (operand ?? null);
}

function valueAt(doc: object, path: string): Scalar {
  let node: unknown = doc;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[part];
  }
  return node === undefined ? null : (node as Scalar);
}

function isComparison(value: unknown): value is Comparison {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
