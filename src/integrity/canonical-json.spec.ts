import { canonicalJson, CanonicalJsonError } from './canonical-json';

/** `{"a":{"a":…{}}}` nested `levels` objects deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}


describe(canonicalJson.name, () => {
  it('matches the RFC 8785 §3.2.2 example (sorting, numbers, escapes)', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\u{1f600}': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    const valuesInTextOrder = [...canonicalJson(input).matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(valuesInTextOrder).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(canonicalJson(input).startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
  });

  it('is independent of key insertion order and nests', () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: null })).toBe('{"a":null,"b":[1,{"c":3,"d":2}]}');
    expect(canonicalJson({ a: { y: 1, x: 2 } })).toBe(canonicalJson({ a: { x: 2, y: 1 } }));
  });

  it('omits undefined members, writes -0 as 0, and refuses what JSON cannot carry', () => {
    expect(canonicalJson({ a: undefined, b: -0 })).toBe('{"b":0}');
    expect(() => canonicalJson({ n: NaN })).toThrow(/not a JSON number/);
    expect(() => canonicalJson({ n: Infinity })).toThrow(/not a JSON number/);
    expect(() => canonicalJson({ s: 'bad \ud800 surrogate' })).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/cannot canonicalize/);
    expect(() => canonicalJson(new Map())).toThrow(/plain objects/);
    expect(canonicalJson({ s: 'pair \u{1f600} ok' })).toBe('{"s":"pair \u{1f600} ok"}');
  });

  it('canonicalizes a document nested 7,000 levels deep (e.g. a stored event written before the depth limit) without a stack overflow', () => {
    const text = canonicalJson({ metadata: nested(7000) });
    expect(text).toBe('{"metadata":' + '{"a":'.repeat(6999) + '{}' + '}'.repeat(6999) + '}');
    expect(canonicalJson(JSON.parse(JSON.stringify([[[[1, [2]]]]])))).toBe('[[[[1,[2]]]]]');
  });

  it('canonicalizes 200,000 levels of arrays into a typed CanonicalJsonError, not a RangeError', () => {
    let deep: unknown = [];
    for (let i = 1; i < 200_000; i++) deep = [deep];
    const error = thrown(() => canonicalJson({ x: deep }));
    expect(error).toBeInstanceOf(CanonicalJsonError);
    expect((error as Error).message).toMatch(/nested deeper than 100000 levels/);
  });

  it('refuses a cyclic structure with a typed CanonicalJsonError instead of looping or overflowing the stack', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(thrown(() => canonicalJson(cyclic))).toBeInstanceOf(CanonicalJsonError);
  });

  it('names where a value cannot be canonicalized (the path of a lone surrogate, also in a key)', () => {
    const error = thrown(() => canonicalJson({ a: [1, { b: 'x\udc00' }] }));
    expect(error).toBeInstanceOf(CanonicalJsonError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as CanonicalJsonError).path).toBe('a[1].b');
    expect((thrown(() => canonicalJson({ m: { ['k\ud800']: 1 } })) as CanonicalJsonError).path).toBe('m');
  });

  it('uses toJSON of non-plain objects, as JSON.stringify does (a Date becomes its ISO string)', () => {
    expect(canonicalJson({ at: new Date('2026-11-26T09:15:00Z'), n: [new Date(0)] })).toBe('{"at":"2026-11-26T09:15:00.000Z","n":["1970-01-01T00:00:00.000Z"]}');
  });
});

function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but the call returned');
}
