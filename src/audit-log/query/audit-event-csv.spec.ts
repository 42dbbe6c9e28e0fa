import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoredAuditEvent } from '../audit-event';
import { AUDIT_EVENT_SCHEMA } from '../record-audit-events/audit-event.schema';
import { CSV_COLUMNS, CSV_HEADER, csvRow } from './audit-event-csv';

const SERVER_FIELDS = ['sequence', 'recordedAt', 'prevHash', 'hash'];
/** Fields exported as one JSON cell rather than flattened further. */
const JSON_FIELDS = ['changes.before', 'changes.after', 'dataSubjects', 'metadata'];

/** Dotted paths of the schema's leaves (objects with declared properties are flattened). */
function leafPaths(schema: { properties?: Record<string, unknown> }, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, sub]) => {
    const dotted = prefix + name;
    const child = sub as { properties?: Record<string, unknown> };
    return child.properties && !JSON_FIELDS.includes(dotted) ? leafPaths(child, `${dotted}.`) : [dotted];
  });
}

function event(overrides: Partial<StoredAuditEvent> = {}): StoredAuditEvent {
  return {
    id: '5b0c6a1e-2d3f-4a5b-8c7d-9e0f1a2b3c4d',
    tenantId: 'acme',
    sequence: 7,
    recordedAt: '2026-11-20T10:00:01.000Z',
    occurredAt: '2026-11-20T10:00:00.000Z',
    actor: { id: 'alice', type: 'user' },
    action: 'invoice.update',
    outcome: 'success',
    resource: { type: 'invoice', id: 'INV-1' },
    channel: 'api',
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
    ...overrides,
  };
}

const cells = (row: string) => row.replace(/\r\n$/, '').split(',');
const cellOf = (e: StoredAuditEvent, header: string) => cells(csvRow(e))[CSV_COLUMNS.findIndex((c) => c.header === header)];

describe('CSV export columns', () => {
  it('has one column for every field of the audit event schema and every server-assigned field, and no other', () => {
    const expected = [...leafPaths(AUDIT_EVENT_SCHEMA), ...SERVER_FIELDS].sort();
    expect(CSV_COLUMNS.map((c) => c.header).sort()).toEqual(expected);
  });

  it('are in the order and of the kinds that docs/export-formats.md documents', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'export-formats.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| (\d+) \| `([^`]+)` \| (text|number|json) \|/gm)].map((m) => [Number(m[1]), m[2], m[3]]);
    expect(documented).toEqual(CSV_COLUMNS.map((c, i) => [i + 1, c.header, c.kind]));
    expect(CSV_HEADER).toBe(CSV_COLUMNS.map((c) => c.header).join(',') + '\r\n');
  });

  it('writes dataSubjects, metadata and changes as JSON text, and an explicit null as null (unlike an absent field: empty)', () => {
    const row = event({ dataSubjects: ['ds-1', 'ds-2'], metadata: { n: 1 }, changes: { before: null, after: { a: 1 } } });
    expect(csvRow(row)).toContain('"[""ds-1"",""ds-2""]"');
    expect(csvRow(row)).toContain('"{""n"":1}"');
    expect(cellOf(row, 'changes.before')).toBe('null');
    expect(cellOf(event(), 'changes.before')).toBe('');
    expect(cellOf(event(), 'metadata')).toBe('');
  });

  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@cmd', "'@cmd"],
    ["'already quoted", "''already quoted"],
    ['plain', 'plain'],
  ])('guards %j as %j, so that removing one leading apostrophe gives the text back', (text, cell) => {
    expect(cellOf(event({ resource: { type: 'invoice', id: 'INV-1', name: text } }), 'resource.name')).toBe(cell);
    expect(cell.startsWith("'") ? cell.slice(1) : cell).toBe(text);
  });
});
