import { aggregateStreamOf, aggregateStreamPrefix, auditStreamOf, grantStreamOf } from './stream-names';

describe('stream names', () => {
  it('names a role stream role-<tenant>-<name>, under the role- prefix', () => {
    const stream = aggregateStreamOf('role', 'acme', 'finance_reviewer');
    expect(stream).toBe('role-acme-finance_reviewer');
    expect(stream.startsWith(aggregateStreamPrefix('role'))).toBe(true);
  });

  it('names a grant stream grant-<tenant>-<id>', () => {
    expect(grantStreamOf('acme', '0123456789abcdef0123456789abcdef')).toBe('grant-acme-0123456789abcdef0123456789abcdef');
  });

  it.each([
    ['a tenant id with "-"', () => grantStreamOf('acme-x', 'g1')],
    ['a grant id with "-"', () => grantStreamOf('acme', 'a-b')],
    ['a role name with "-"', () => aggregateStreamOf('role', 'acme', 'x-y')],
    ['an empty role name', () => aggregateStreamOf('role', 'acme', '')],
    ['a role name with "/"', () => aggregateStreamOf('role', 'acme', 'a/b')],
    ['an audit tenant with a space', () => auditStreamOf('a b')],
  ])('refuses %s', (_, build) => {
    expect(build).toThrow(/Invalid/);
  });
});
