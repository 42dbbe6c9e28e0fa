export interface FieldChange {
  /** Dot path with array indices, e.g. `address.city`, `lines[2].qty`. */
  path: string;
  change: 'added' | 'removed' | 'modified';
  before?: unknown;
  after?: unknown;
}

/**
 * Field-level differences between two JSON documents, depth first, keys in sorted order. Objects are
 * compared field by field and arrays index by index; anything else (or a type change) is a leaf.
 * Iterative (an explicit stack), so a stored document of any depth cannot overflow the call stack.
 */
export function fieldDiff(before: unknown, after: unknown): FieldChange[] {
  // A record created (no before) or deleted (no after): one entry per field, not one for the root.
  if ((before === null || before === undefined) && isObject(after)) before = {};
  else if ((after === null || after === undefined) && isObject(before)) after = {};
  const changes: FieldChange[] = [];
  // Pairs still to compare, last one next; children are pushed in reverse to keep depth-first order.
  const todo: Array<{ before: unknown; after: unknown; path: string }> = [{ before, after, path: '' }];
  while (todo.length > 0) {
    const { before: b, after: a, path } = todo.pop()!;
    if (isObject(b) && isObject(a)) {
      const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
      for (let k = keys.length - 1; k >= 0; k--) {
        const key = keys[k];
        todo.push({ before: memberOf(b, key), after: memberOf(a, key), path: path ? `${path}.${key}` : key });
      }
      continue;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      for (let i = Math.max(b.length, a.length) - 1; i >= 0; i--) {
        todo.push({ before: i < b.length ? b[i] : ABSENT, after: i < a.length ? a[i] : ABSENT, path: `${path}[${i}]` });
      }
      continue;
    }
    if (path) {
      // A member present on one side only.
      if (a === ABSENT && b === ABSENT) continue;
      if (a === ABSENT) {
        changes.push({ path, change: 'removed', before: b });
        continue;
      }
      if (b === ABSENT) {
        changes.push({ path, change: 'added', after: a });
        continue;
      }
    }
    changes.push(...leafChange(b, a, path));
  }
  return changes;
}

/** A member that is not there: not an own property, or undefined (which JSON does not carry). */
const ABSENT = Symbol('absent');

function memberOf(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) && record[key] !== undefined ? record[key] : ABSENT;
}

function leafChange(before: unknown, after: unknown, path: string): FieldChange[] {
  // Two JSON values that are not both objects or both arrays are equal only when identical.
  if (before === after) return [];
  if (before === undefined || before === null) return [{ path: path || '(root)', change: before === null ? 'modified' : 'added', ...(before === null ? { before } : {}), after }];
  if (after === undefined || after === null) return [{ path: path || '(root)', change: after === null ? 'modified' : 'removed', before, ...(after === null ? { after } : {}) }];
  return [{ path: path || '(root)', change: 'modified', before, after }];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
