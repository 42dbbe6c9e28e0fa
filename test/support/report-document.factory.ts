import { ReportDocument, ReportSection } from '../../src/reports/rendering/report-document';

/** A detail section of `rows` rows (actor, action, resource, outcome, occurredAt). */
export function sectionOf(title: string, rows: number, totalRows = rows): ReportSection {
  return {
    title,
    description: `Every ${title.toLowerCase()} event of the period`,
    columns: [
      { key: 'sequence', label: 'Seq.' },
      { key: 'occurredAt', label: 'Occurred at' },
      { key: 'actor', label: 'Actor' },
      { key: 'action', label: 'Action' },
      { key: 'resource', label: 'Resource' },
      { key: 'outcome', label: 'Outcome' },
    ],
    rows: Array.from({ length: rows }, (_, i) => ({
      sequence: String(1000 + i),
      occurredAt: new Date(Date.UTC(2026, 2, 1 + (i % 31), 8 + (i % 10), i % 60)).toISOString(),
      actor: `user-${i % 17}@example.com`,
      action: ['user.role.grant', 'invoice.update', 'ledger.export', 'payment.approve'][i % 4],
      resource: `invoice/INV-${String(20000 + i)}`,
      outcome: i % 9 === 0 ? 'denied' : 'success',
    })),
    totalRows,
  };
}

/** A complete SOX-like report document for March 2026 in Europe/Berlin. */
export function reportDocumentOf(overrides: Partial<ReportDocument> = {}): ReportDocument {
  return {
    reportId: 'rep_7f3a9c2e41d84b6a',
    tenantId: 'acme',
    template: { id: 'sox-privileged-access', version: 1, name: 'SOX Privileged Access Review', framework: 'SOX', description: 'Every action taken by privileged accounts during the period, with denied and failed attempts, for the quarterly access review (SOX 404, ITGC access controls).' },
    period: { from: '2026-02-28T23:00:00.000Z', to: '2026-03-31T22:00:00.000Z', timezone: 'Europe/Berlin' },
    generatedAt: '2026-04-01T04:00:12.345Z',
    generatedBy: 'schedule:monthly-sox',
    parameters: { privilegedRoles: ['super_admin', 'admin'] },
    summary: [
      { name: 'events', label: 'Privileged events', value: 48213 },
      { name: 'actors', label: 'Distinct privileged actors', value: 17 },
      { name: 'deniedOrFailed', label: 'Denied or failed', value: 359 },
    ],
    charts: {
      activityPerDay: Array.from({ length: 31 }, (_, i) => ({ day: `2026-03-${String(i + 1).padStart(2, '0')}`, count: [0, 6].includes(new Date(Date.UTC(2026, 2, i + 1)).getUTCDay()) ? 120 + i : 1500 + ((i * 137) % 400) })),
      topActors: Array.from({ length: 10 }, (_, i) => ({ actorId: `admin-${i}@acme.example`, count: 9000 - i * 700 })),
    },
    sections: [sectionOf('Privileged actions', 40), sectionOf('Denied or failed attempts', 12)],
    evidence: {
      headSequence: 1_204_331,
      headHash: '9b2f6c0e4d1a7b38c5e2f90d6a4b1c7e8f3d2a5b6c7d8e9f0a1b2c3d4e5f6a7b',
      firstSequence: 1_102_004,
      lastSequence: 1_203_998,
      eventsConsidered: 101_995,
      keyId: 'ed25519:4f2c9a1b',
      generatorVersion: 'compliance-audit-trail 0.1.0',
    },
    ...overrides,
  };
}
