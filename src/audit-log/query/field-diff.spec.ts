import { fieldDiff } from './field-diff';

/** A small invoice document, as a `changes.before` / `changes.after` payload. */
function anInvoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    number: 'INV-1042',
    status: 'draft',
    customer: { name: 'Acme', address: { city: 'Lyon', zip: '69001' } },
    lines: [
      { sku: 'A', qty: 1 },
      { sku: 'B', qty: 2 },
    ],
    ...overrides,
  };
}

// toStrictEqual throughout: a change must not carry a `before` or `after` key it has no value for.
describe(fieldDiff.name, () => {
  it('returns no changes for identical documents', () => {
    expect(fieldDiff(anInvoice(), anInvoice())).toStrictEqual([]);
  });

  it('returns no changes for documents that differ only in key order', () => {
    expect(fieldDiff({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toStrictEqual([]);
  });

  it('names a nested field by its dot path', () => {
    const after = anInvoice({ customer: { name: 'Acme', address: { city: 'Paris', zip: '69001' } } });
    expect(fieldDiff(anInvoice(), after)).toStrictEqual([{ path: 'customer.address.city', change: 'modified', before: 'Lyon', after: 'Paris' }]);
  });

  it('compares arrays index by index', () => {
    const after = anInvoice({ lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 3 }] });
    expect(fieldDiff(anInvoice(), after)).toStrictEqual([{ path: 'lines[1].qty', change: 'modified', before: 2, after: 3 }]);
  });

  it('reports array elements appended and dropped', () => {
    const three = anInvoice({ lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }, { sku: 'C', qty: 5 }] });
    expect(fieldDiff(anInvoice(), three)).toStrictEqual([{ path: 'lines[2]', change: 'added', after: { sku: 'C', qty: 5 } }]);
    expect(fieldDiff(three, anInvoice())).toStrictEqual([{ path: 'lines[2]', change: 'removed', before: { sku: 'C', qty: 5 } }]);
  });

  it('names array paths at the root by index', () => {
    expect(fieldDiff([1, 2], [1, 5])).toStrictEqual([{ path: '[1]', change: 'modified', before: 2, after: 5 }]);
  });

  it('reports an added field with its value only', () => {
    expect(fieldDiff(anInvoice(), anInvoice({ dueDate: '2026-12-31' }))).toStrictEqual([{ path: 'dueDate', change: 'added', after: '2026-12-31' }]);
  });

  it('reports a removed field with its value only', () => {
    const { status: _, ...withoutStatus } = anInvoice();
    expect(fieldDiff(anInvoice(), withoutStatus)).toStrictEqual([{ path: 'status', change: 'removed', before: 'draft' }]);
  });

  it('reports an added sub-document as one change, not field by field', () => {
    expect(fieldDiff({}, { payment: { method: 'card', last4: '4242' } })).toStrictEqual([
      { path: 'payment', change: 'added', after: { method: 'card', last4: '4242' } },
    ]);
  });

  describe('null versus missing', () => {
    it('treats a field set to null as present: null → value is a modification', () => {
      expect(fieldDiff({ approvedBy: null }, { approvedBy: 'bob' })).toStrictEqual([{ path: 'approvedBy', change: 'modified', before: null, after: 'bob' }]);
      expect(fieldDiff({ approvedBy: 'bob' }, { approvedBy: null })).toStrictEqual([{ path: 'approvedBy', change: 'modified', before: 'bob', after: null }]);
    });

    it('treats missing → null as added and null → missing as removed', () => {
      expect(fieldDiff({}, { approvedBy: null })).toStrictEqual([{ path: 'approvedBy', change: 'added', after: null }]);
      expect(fieldDiff({ approvedBy: null }, {})).toStrictEqual([{ path: 'approvedBy', change: 'removed', before: null }]);
    });

    it('treats an undefined member as missing', () => {
      expect(fieldDiff({ a: undefined }, {})).toStrictEqual([]);
      expect(fieldDiff({}, { a: undefined })).toStrictEqual([]);
      expect(fieldDiff({ a: undefined }, { a: 1 })).toStrictEqual([{ path: 'a', change: 'added', after: 1 }]);
    });

    it('sees no change between null and null', () => {
      expect(fieldDiff({ a: null }, { a: null })).toStrictEqual([]);
      expect(fieldDiff(null, null)).toStrictEqual([]);
    });
  });

  describe('type changes are leaf modifications carrying both whole values', () => {
    it.each([
      ['number → string', 1200, '1200'],
      ['boolean → number', true, 1],
      ['object → array', { a: 1 }, [1]],
      ['array → object', [1], { 0: 1 }],
      ['object → string', { city: 'Lyon' }, 'Lyon'],
      ['array → string', ['a'], 'a'],
    ])('%s', (_, before, after) => {
      expect(fieldDiff({ x: before }, { x: after })).toStrictEqual([{ path: 'x', change: 'modified', before, after }]);
    });
  });

  it('names a change of the whole document (root) "(root)"', () => {
    expect(fieldDiff('a', 'b')).toStrictEqual([{ path: '(root)', change: 'modified', before: 'a', after: 'b' }]);
  });

  describe('order', () => {
    it('is depth first with keys sorted, whatever the insertion order', () => {
      const before = { z: 1, b: { y: 1, a: 1 }, a: [{ k: 1 }, { k: 1 }] };
      const after = { a: [{ k: 2 }, { k: 2 }], b: { a: 2, y: 2 }, z: 2 };
      const expected = ['a[0].k', 'a[1].k', 'b.a', 'b.y', 'z'];
      expect(fieldDiff(before, after).map((c) => c.path)).toStrictEqual(expected);
      expect(fieldDiff({ a: before.a, b: { a: 1, y: 1 }, z: 1 }, { z: 2, b: { y: 2, a: 2 }, a: after.a }).map((c) => c.path)).toStrictEqual(expected);
    });

    it('interleaves added, removed and modified fields in key order', () => {
      expect(fieldDiff({ a: 1, c: 1, d: 1 }, { b: 1, c: 2, d: 1 })).toStrictEqual([
        { path: 'a', change: 'removed', before: 1 },
        { path: 'b', change: 'added', after: 1 },
        { path: 'c', change: 'modified', before: 1, after: 2 },
      ]);
    });
  });

  describe('creation and deletion of a record (changes.before / changes.after null)', () => {
    // What it does today: fieldDiff(null, {amount, status}) returns one entry
    //   { path: '(root)', change: 'modified', before: null, after: {amount, status} }
    // and fieldDiff({…}, null) likewise one '(root)' 'modified' entry with after: null.
    // The detail endpoint calls fieldDiff(changes.before ?? null, changes.after ?? null), so every
    // creation/deletion event shows a single "(root) modified" instead of a field-level diff.
    it('lists every field of a created record as added', () => {
      // Regression: a null `before` (creation) once gave one '(root)' 'modified' entry, not field-level 'added' entries.
      expect(fieldDiff(null, { amount: 1200, status: 'draft' })).toStrictEqual([
        { path: 'amount', change: 'added', after: 1200 },
        { path: 'status', change: 'added', after: 'draft' },
      ]);
    });

    it('lists every field of a deleted record as removed', () => {
      // Regression: a null `after` (deletion) once gave one '(root)' 'modified' entry, not field-level 'removed' entries.
      expect(fieldDiff({ amount: 1200, status: 'draft' }, null)).toStrictEqual([
        { path: 'amount', change: 'removed', before: 1200 },
        { path: 'status', change: 'removed', before: 'draft' },
      ]);
    });
  });

  describe('fields named like Object.prototype members', () => {
    // Regression: presence was once tested with `key in obj`, which also sees inherited members, so a field named
    it.each(['constructor', 'toString'])('reports a removed field named %s as removed', (key) => {
      expect(fieldDiff({ [key]: 'x' }, {})).toStrictEqual([{ path: key, change: 'removed', before: 'x' }]);
    });

    it.each(['constructor'])('reports an added field named %s as added', (key) => {
      expect(fieldDiff({}, { [key]: 'x' })).toStrictEqual([{ path: key, change: 'added', after: 'x' }]);
    });
  });

  it('diffs documents nested 7,000 levels deep (stored before the depth limit) without a stack overflow', () => {
    const deep = (leaf: unknown) => {
      let value: unknown = { leaf };
      for (let i = 1; i < 7000; i++) value = { a: value };
      return value;
    };
    const changes = fieldDiff(deep(1), deep(2));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toStrictEqual({ path: 'a.'.repeat(6999) + 'leaf', change: 'modified', before: 1, after: 2 });
    expect(fieldDiff(deep(1), deep(1))).toStrictEqual([]);
    const list = [deep(1)];
    const created = fieldDiff(null, { list });
    expect(created).toHaveLength(1);
    expect(created[0].path).toBe('list');
    expect(created[0].after).toBe(list); // the same (deep) value, compared by identity: jest's equality recurses
  });
});
