/** What a submitted JSON document may not contain, checked in one iterative walk (no recursion). */

export interface JsonLimitViolation {
  /** Dot path with indices, relative to the walked value ('' is the value itself). */
  path: string;
  message: string;
}

/** In unicode mode a surrogate pair is one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Surrogate}/u;

export const LONE_SURROGATE_MESSAGE = 'contains a lone surrogate (text that is not well-formed Unicode); send valid UTF-8';
export const NON_FINITE_NUMBER_MESSAGE = 'is beyond the range of an IEEE-754 double (it overflows to Infinity); send it as a string';
export const UNSAFE_NUMBER_MESSAGE = `is beyond ±${Number.MAX_SAFE_INTEGER} (2^53−1) and cannot be stored exactly; send it as a string`;

interface Frame {
  container: unknown[] | Record<string, unknown>;
  /** Object keys; null for an array. */
  keys: string[] | null;
  /** Index of the member being looked at. */
  at: number;
}

/**
 * Walks a parsed JSON value with an explicit stack and reports, with paths:
 * - objects or arrays nested deeper than `maxDepth` (the value itself is level 1), without
 *   descending into them, so the walk costs at most the limit's depth whatever was sent;
 * - lone surrogates in strings and in object keys (JCS, hence the hash chain, cannot encode them);
 * - numbers that are integer-valued but not safe integers: the JSON parser has already rounded
 *   them (every double of magnitude ≥ 2^53 is integer-valued, so huge exponents land here too);
 * - numbers beyond the double range (`1e400`), which the parser turned into ±Infinity.
 * Stops after `maxViolations`.
 */
export function jsonLimitViolations(value: unknown, maxDepth: number, maxViolations = 10): JsonLimitViolation[] {
  const violations: JsonLimitViolation[] = [];
  const stack: Frame[] = [];
  const report = (message: string, ownPath: boolean) => violations.push({ path: pathOf(stack, ownPath), message });
  let current: unknown = value;
  for (;;) {
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) report(LONE_SURROGATE_MESSAGE, true);
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) report(NON_FINITE_NUMBER_MESSAGE, true);
      else if (Number.isInteger(current) && !Number.isSafeInteger(current)) report(UNSAFE_NUMBER_MESSAGE, true);
    } else if (typeof current === 'object' && current !== null) {
      if (stack.length >= maxDepth) {
        report(`nests deeper than ${maxDepth} levels (the event itself is level 1)`, true);
      } else if (Array.isArray(current)) {
        stack.push({ container: current, keys: null, at: -1 });
      } else {
        const record = current as Record<string, unknown>;
        const keys = Object.keys(record);
        stack.push({ container: record, keys, at: -1 });
        for (const key of keys) {
          if (LONE_SURROGATE.test(key)) {
            report(`has a key that ${LONE_SURROGATE_MESSAGE}`, false);
            break;
          }
        }
      }
    }
    if (violations.length >= maxViolations) return violations;
    // Next member: of the innermost container that has one left.
    let next = false;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      frame.at += 1;
      const size = frame.keys === null ? (frame.container as unknown[]).length : frame.keys.length;
      if (frame.at < size) {
        current = frame.keys === null ? (frame.container as unknown[])[frame.at] : (frame.container as Record<string, unknown>)[frame.keys[frame.at]];
        next = true;
        break;
      }
      stack.pop();
    }
    if (!next) return violations;
  }
}

/** Path of the member being looked at (`ownPath`), or of the innermost container. */
function pathOf(stack: Frame[], ownPath: boolean): string {
  const frames = ownPath ? stack : stack.slice(0, -1);
  let path = '';
  for (const frame of frames) {
    if (frame.keys === null) path += `[${frame.at}]`;
    else path += path ? `.${frame.keys[frame.at]}` : frame.keys[frame.at];
  }
  return path;
}
