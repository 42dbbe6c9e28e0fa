/** Deeper than this is refused: no JSON document we store comes near it, and a cycle always reaches it. */
export const MAX_CANONICAL_DEPTH = 100_000;

/** A value cannot be canonicalized; `path` names where (dot path with indices, '' for the root). */
export class CanonicalJsonError extends TypeError {
  constructor(
    /** What is wrong, without the path. */
    readonly reason: string,
    readonly path: string,
  ) {
    super(path ? `${reason} (at ${path})` : reason);
    this.name = 'CanonicalJsonError';
  }
}

type Frame =
  | { items: unknown[]; keys: null; next: number; written: number }
  | { items: Record<string, unknown>; keys: string[]; next: number; written: number };

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript shortest round-trip form, strings escaped as ECMAScript's
 * JSON.stringify does. `undefined` object members are omitted, as in JSON.
 *
 * Iterative (an explicit stack, not recursion), so any nesting a stored document may have is
 * handled without a stack overflow; beyond MAX_CANONICAL_DEPTH levels (or on a cycle) it throws a
 * CanonicalJsonError, as it does for anything JSON cannot carry.
 */
export function canonicalJson(value: unknown): string {
  const stack: Frame[] = [];
  let out = '';
  let pending: unknown = value;
  for (;;) {
    // Write `pending`: a primitive completely, a container by opening it and pushing its frame.
    pending = jsonValueOf(pending, stack);
    if (typeof pending === 'object' && pending !== null) {
      if (stack.length >= MAX_CANONICAL_DEPTH) throw new CanonicalJsonError(`JCS: nested deeper than ${MAX_CANONICAL_DEPTH} levels (or cyclic)`, pathOf(stack));
      if (Array.isArray(pending)) {
        out += '[';
        stack.push({ items: pending, keys: null, next: 0, written: 0 });
      } else {
        out += '{';
        const record = pending as Record<string, unknown>;
        stack.push({ items: record, keys: Object.keys(record).sort(), next: 0, written: 0 });
      }
    } else {
      out += primitiveJson(pending, stack);
    }
    // Find the next member to write, closing every container that is complete.
    let found = false;
    while (stack.length > 0 && !found) {
      const frame = stack[stack.length - 1];
      if (frame.keys === null) {
        if (frame.next < frame.items.length) {
          if (frame.written++ > 0) out += ',';
          const item = frame.items[frame.next++];
          pending = item === undefined ? null : item;
          found = true;
        } else {
          out += ']';
          stack.pop();
        }
      } else {
        while (frame.next < frame.keys.length && frame.items[frame.keys[frame.next]] === undefined) frame.next++;
        if (frame.next < frame.keys.length) {
          const key = frame.keys[frame.next++];
          if (frame.written++ > 0) out += ',';
          // A bad key is reported at the object that holds it.
          if (LONE_SURROGATE.test(key)) throw new CanonicalJsonError('JCS: lone surrogate in a key', pathOf(stack.slice(0, -1)));
          out += JSON.stringify(key) + ':';
          pending = frame.items[key];
          found = true;
        } else {
          out += '}';
          stack.pop();
        }
      }
    }
    if (!found) return out;
  }
}

/** Applies toJSON to objects that are neither plain nor arrays (e.g. a Date), as JSON.stringify does. */
function jsonValueOf(value: unknown, stack: Frame[]): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isPlainObject(value)) return value;
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json !== 'function') throw new CanonicalJsonError('JCS: only plain objects, arrays and JSON primitives can be canonicalized', pathOf(stack));
  const converted = json.call(value);
  if (typeof converted === 'object' && converted !== null && !Array.isArray(converted) && !isPlainObject(converted)) {
    throw new CanonicalJsonError('JCS: toJSON must return a plain object, an array or a JSON primitive', pathOf(stack));
  }
  return converted;
}

function primitiveJson(value: unknown, stack: Frame[]): string {
  switch (typeof value) {
    case 'string':
      return quote(value, stack);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`JCS: ${value} is not a JSON number`, pathOf(stack));
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return 'null';
    default:
      throw new CanonicalJsonError(`JCS: cannot canonicalize a ${typeof value}`, pathOf(stack));
  }
}

/** Path of the member being written: each frame's last member taken. */
function pathOf(stack: Frame[]): string {
  let path = '';
  for (const frame of stack) {
    if (frame.next === 0) break;
    if (frame.keys === null) path += `[${frame.next - 1}]`;
    else path += path ? `.${frame.keys[frame.next - 1]}` : frame.keys[frame.next - 1];
  }
  return path;
}

/**
 * JCS of an object whose top-level members are given as already-canonical JSON texts (members
 * computed once and reused, e.g. for size checks and hashing). Keys must be distinct.
 */
export function canonicalJsonOfMembers(members: Array<[key: string, canonicalValue: string]>): string {
  const sorted = members.slice().sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '{';
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0) out += ',';
    out += quote(sorted[i][0]) + ':' + sorted[i][1];
  }
  return out + '}';
}

/** In unicode mode a surrogate pair is one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function quote(text: string, stack: Frame[] = []): string {
  if (LONE_SURROGATE.test(text)) throw new CanonicalJsonError('JCS: lone surrogate in string', pathOf(stack));
  return JSON.stringify(text);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
