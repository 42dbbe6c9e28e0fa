/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, numbers in ECMAScript shortest round-trip form, strings escaped as ECMAScript's
 * JSON.stringify does. `undefined` object members are omitted, as in JSON.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`JCS: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item = value[i];
          out += item === undefined ? 'null' : canonicalJson(item);
        }
        return out + ']';
      }
      if (!isPlainObject(value)) {
        const json = (value as { toJSON?: () => unknown }).toJSON;
        if (typeof json === 'function') return canonicalJson(json.call(value));
        throw new TypeError('JCS: only plain objects, arrays and JSON primitives can be canonicalized');
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += quote(key) + ':' + canonicalJson(item);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`JCS: cannot canonicalize a ${typeof value}`);
  }
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

function quote(text: string): string {
  if (LONE_SURROGATE.test(text)) throw new TypeError('JCS: lone surrogate in string');
  return JSON.stringify(text);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
