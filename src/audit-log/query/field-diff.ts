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
 */
export function fieldDiff(before: unknown, after: unknown, path = ''): FieldChange[] {
  // A record created (no before) or deleted (no after): one entry per field, not one for the root.
  if (!path && (before === null || before === undefined) && isObject(after)) return fieldDiff({}, after);
  if (!path && (after === null || after === undefined) && isObject(before)) return fieldDiff(before, {});
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const child = path ? `${path}.${key}` : key;
      const inBefore = Object.hasOwn(before, key) && before[key] !== undefined;
      const inAfter = Object.hasOwn(after, key) && after[key] !== undefined;
      if (!inAfter) return inBefore ? [{ path: child, change: 'removed' as const, before: before[key] }] : [];
      if (!inBefore) return [{ path: child, change: 'added' as const, after: after[key] }];
      return fieldDiff(before[key], after[key], child);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes: FieldChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const child = `${path}[${i}]`;
      if (i >= after.length) changes.push({ path: child, change: 'removed', before: before[i] });
      else if (i >= before.length) changes.push({ path: child, change: 'added', after: after[i] });
      else changes.push(...fieldDiff(before[i], after[i], child));
    }
    return changes;
  }
  if (sameJson(before, after)) return [];
  if (before === undefined || before === null) return [{ path: path || '(root)', change: before === null ? 'modified' : 'added', ...(before === null ? { before } : {}), after }];
  if (after === undefined || after === null) return [{ path: path || '(root)', change: after === null ? 'modified' : 'removed', before, ...(after === null ? { after } : {}) }];
  return [{ path: path || '(root)', change: 'modified', before, after }];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}
