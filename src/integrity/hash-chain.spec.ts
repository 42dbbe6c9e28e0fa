import { createHash } from 'node:crypto';
import { chainHash, GENESIS_HASH } from './hash-chain';

describe(chainHash.name, () => {
  it('is SHA-256 over the previous hash followed by the canonical JSON of the event', () => {
    const event = { sequence: 0, prevHash: GENESIS_HASH, action: 'x' };
    const expected = createHash('sha256').update(`${GENESIS_HASH}{"action":"x","prevHash":"${GENESIS_HASH}","sequence":0}`).digest('hex');
    expect(chainHash(GENESIS_HASH, event)).toBe(expected);
    expect(chainHash(GENESIS_HASH, event)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any field or the previous hash changes', () => {
    const base = chainHash(GENESIS_HASH, { a: 1, b: { c: 'x' } });
    expect(chainHash(GENESIS_HASH, { a: 1, b: { c: 'y' } })).not.toBe(base);
    expect(chainHash('1'.repeat(64), { a: 1, b: { c: 'x' } })).not.toBe(base);
    expect(chainHash(GENESIS_HASH, { b: { c: 'x' }, a: 1 })).toBe(base);
  });

  it('hashes a stored event nested 7,000 levels deep (written before the depth limit) instead of overflowing the stack', () => {
    let metadata: Record<string, unknown> = {};
    for (let i = 1; i < 7000; i++) metadata = { a: metadata };
    const text = `{"metadata":${'{"a":'.repeat(6999)}{}${'}'.repeat(6999)},"prevHash":"${GENESIS_HASH}","sequence":0}`;
    expect(chainHash(GENESIS_HASH, { sequence: 0, prevHash: GENESIS_HASH, metadata })).toBe(createHash('sha256').update(GENESIS_HASH + text).digest('hex'));
  });
});
