import { nestedDeeperThan } from './audit-log.projection';

const nested = (depth: number): unknown => JSON.parse('{"a":'.repeat(depth - 1) + '[]' + '}'.repeat(depth - 1));

describe('nestedDeeperThan', () => {
  it('counts objects and arrays as levels and scalars as none', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan({}, 0)).toBe(true);
    expect(nestedDeeperThan(nested(3), 3)).toBe(false);
    expect(nestedDeeperThan(nested(4), 3)).toBe(true);
    expect(nestedDeeperThan({ a: 1, b: [1, 2, { c: null }] }, 3)).toBe(false);
  });

  it('measures 100,000 levels without overflowing the stack', () => {
    expect(nestedDeeperThan(nested(100_000), 256)).toBe(true);
  });
});
