import { boundedQuery, boundedText } from './request-excerpt';

describe(boundedQuery.name, () => {
  it('keeps a small query as it is', () => {
    expect(boundedQuery({ from: '2026-01-01', action: ['a', 'b'] })).toEqual({ query: { from: '2026-01-01', action: ['a', 'b'] }, truncated: false });
  });

  it('keeps at most 20 parameters and says it truncated', () => {
    const query = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v']));
    const result = boundedQuery(query);
    expect(Object.keys(result.query)).toHaveLength(20);
    expect(result.truncated).toBe(true);
  });

  it('bounds names, values, repeated values and nested values', () => {
    const result = boundedQuery({ ['n'.repeat(500)]: 'v'.repeat(5000), list: Array(50).fill('x'), nested: { deep: 'y'.repeat(1000) } });
    expect(Object.keys(result.query)).toEqual(['n'.repeat(64), 'list', 'nested']);
    expect(result.query['n'.repeat(64)]).toBe('v'.repeat(256));
    expect(result.query.list).toHaveLength(10);
    expect((result.query.nested as string).length).toBe(256);
    expect(result.truncated).toBe(true);
    expect(JSON.stringify(result.query).length).toBeLessThan(1500);
  });

  it('replaces control characters and does not cut a surrogate pair in half', () => {
    expect(boundedText('a\u0000b', 10)).toBe('a\uFFFDb');
    expect(boundedText('ab😀', 3)).toBe('ab');
  });

  it('does not let a "__proto__" parameter change the prototype of the copy', () => {
    const query = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, unknown>;
    const result = boundedQuery(query);
    expect(Object.getPrototypeOf(result.query)).toBe(Object.prototype);
    expect(Object.keys(result.query)).toEqual(['__proto__', 'a']);
  });
});
