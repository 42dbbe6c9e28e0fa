import { GENESIS_HASH, hashOfCanonical } from '../../integrity/hash-chain';
import { AuditEventInput, StoredAuditEvent } from '../audit-event';
import { chainEvents, LogHead, planSubmissions, receiptsOf, SubmissionPlan } from './audit-log.decider';

const ID_A = '00000000-0000-4000-8000-00000000000a';
const ID_B = '00000000-0000-4000-8000-00000000000b';
const RECORDED_AT = '2026-11-28T12:00:00.000Z';

function input(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    occurredAt: '2026-11-26T09:15:00.000Z',
    actor: { id: 'alice', type: 'user' },
    action: 'invoice.update',
    outcome: 'success',
    resource: { type: 'invoice', id: 'INV-1' },
    channel: 'ui',
    ...overrides,
  } as AuditEventInput;
}

/** Given a log whose head is `head`, when `submissions` are planned and chained. */
function decide(head: LogHead, submissions: AuditEventInput[][], recorded = new Map<string, StoredAuditEvent>()) {
  let n = 0;
  const plans = planSubmissions(submissions, recorded, () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
  return { plans, ...chainEvents(head, plans, RECORDED_AT) };
}

const empty: LogHead = { tenantId: 'acme', sequence: -1, hash: GENESIS_HASH };
const accepted = (plan: SubmissionPlan) => {
  if (plan.outcome !== 'accepted') throw new Error(`expected accepted, got ${plan.outcome}`);
  return plan;
};

describe('audit-log decider (plan, sequence, chain)', () => {
  it('given an empty log, when two submissions arrive, then their events get sequences 0..n in order and a chain from the genesis hash', () => {
    const { plans, chained, head } = decide(empty, [[input({ id: ID_A })], [input({ id: ID_B }), input()]]);
    expect(chained.map((c) => [c.event.id, c.event.sequence])).toEqual([
      [ID_A, 0],
      [ID_B, 1],
      ['00000000-0000-4000-8000-000000000001', 2],
    ]);
    expect(chained[0].event.prevHash).toBe(GENESIS_HASH);
    chained.forEach((c, i) => {
      // The stored text is the hashed JCS text plus the hash.
      expect(c.event.hash).toBe(hashOfCanonical(c.event.prevHash, c.json.replace(/,"hash":"[0-9a-f]{64}"}$/, '}')));
      expect(JSON.parse(c.json)).toEqual(c.event);
      if (i > 0) expect(c.event.prevHash).toBe(chained[i - 1].event.hash);
    });
    expect(head).toEqual({ tenantId: 'acme', sequence: 2, hash: chained[2].event.hash });
    expect(receiptsOf(accepted(plans[1]), chained).map((r) => [r.sequence, r.duplicate])).toEqual([
      [1, false],
      [2, false],
    ]);
  });

  it('given a log at sequence 41, when one event arrives, then it is 42 and chains from the head hash', () => {
    const { chained } = decide({ tenantId: 'acme', sequence: 41, hash: 'f'.repeat(64) }, [[input()]]);
    expect(chained[0].event).toMatchObject({ sequence: 42, prevHash: 'f'.repeat(64), tenantId: 'acme', recordedAt: RECORDED_AT });
  });

  it('given a recorded event, when it is resent with the same content, then nothing new is chained and the receipt is the original, marked duplicate', () => {
    const first = decide(empty, [[input({ id: ID_A })]]).chained[0].event;
    const { plans, chained } = decide({ tenantId: 'acme', sequence: 0, hash: first.hash }, [[input({ id: ID_A })]], new Map([[ID_A, first]]));
    expect(chained).toEqual([]);
    expect(receiptsOf(accepted(plans[0]), chained)).toEqual([{ id: ID_A, tenantId: 'acme', sequence: 0, hash: first.hash, recordedAt: RECORDED_AT, duplicate: true }]);
  });

  it('given a recorded event, when its id is reused with other content, then that whole submission is a conflict and the others go on', () => {
    const first = decide(empty, [[input({ id: ID_A })]]).chained[0].event;
    const { plans, chained } = decide({ tenantId: 'acme', sequence: 0, hash: first.hash }, [[input(), input({ id: ID_A, action: 'invoice.delete' })], [input({ id: ID_B })]], new Map([[ID_A, first]]));
    expect(plans[0]).toEqual({ outcome: 'conflict', id: ID_A });
    expect(chained.map((c) => [c.event.id, c.event.sequence])).toEqual([[ID_B, 1]]);
  });

  it('when one id appears twice in a group commit with the same content, then it is one event and both receipts name it', () => {
    const { plans, chained } = decide(empty, [[input({ id: ID_A })], [input({ id: ID_A })]]);
    expect(chained).toHaveLength(1);
    expect(receiptsOf(accepted(plans[1]), chained)[0]).toMatchObject({ id: ID_A, sequence: 0, duplicate: false });
  });

  it('when one id appears twice in a group commit with different content, then the later submission is a conflict', () => {
    const { plans, chained } = decide(empty, [[input({ id: ID_A })], [input({ id: ID_A, action: 'other' })]]);
    expect(plans[1]).toEqual({ outcome: 'conflict', id: ID_A });
    expect(chained).toHaveLength(1);
  });
});
