import { generateKeyPairSync } from 'node:crypto';
import { SERVICE_NAME } from '../../audit-log/audit-event';
import { Checkpoint, FIRST_PREVIOUS_CHECKPOINT_HASH, checkpointHashOf, signCheckpoint } from '../checkpoints/checkpoint';
import { chainHash, GENESIS_HASH } from '../hash-chain';
import { keyIdOf } from '../signing/ed25519';
import { verifyOffline } from './offline-verifier';

type Event = Record<string, unknown> & { sequence: number; prevHash: string; hash: string };

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyId = keyIdOf(publicKey);
const keys = new Map([[keyId, { keyId, key: publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }]]);

/** A chain of `bodies`, linked and hashed as the service records them. */
function chainOf(bodies: Array<Record<string, unknown>>): Event[] {
  const events: Event[] = [];
  let prevHash = GENESIS_HASH;
  bodies.forEach((body, sequence) => {
    const withoutHash = { id: `e${sequence}`, tenantId: 'acme', occurredAt: '2020-01-01T00:00:00.000Z', recordedAt: '2020-01-01T00:00:00.000Z', action: 'invoice.view', ...body, sequence, prevHash };
    const hash = chainHash(prevHash, withoutHash);
    events.push({ ...withoutHash, hash } as Event);
    prevHash = hash;
  });
  return events;
}

function expireRecord(fromSequence: number, toSequence: number, lastExpiredHash: string, sourceService = SERVICE_NAME): Record<string, unknown> {
  return { action: 'retention.expire', context: { sourceService }, metadata: { count: toSequence - fromSequence + 1, fromSequence, toSequence, lastExpiredHash } };
}

/** Events 0..2, then a retention.expire record naming 0..2 with event 2's hash, then two more. */
function expiredChain(record: (hashOf2: string) => Record<string, unknown> = (h) => expireRecord(0, 2, h)): Event[] {
  const front = chainOf([{}, {}, {}]);
  return chainOf([{}, {}, {}, record(front[2].hash), {}, {}]);
}

function checkpointsAt(events: Event[], sequences: number[]): Checkpoint[] {
  const checkpoints: Checkpoint[] = [];
  for (const sequence of sequences) {
    const previous = checkpoints.at(-1);
    checkpoints.push(
      signCheckpoint(
        { tenantId: 'acme', sequence, hash: events[sequence].hash, previousCheckpointHash: previous ? checkpointHashOf(previous) : FIRST_PREVIOUS_CHECKPOINT_HASH, createdAt: `2020-01-0${sequence + 1}T00:00:00.000Z`, keyId },
        privateKey,
      ),
    );
  }
  return checkpoints;
}

describe('verifyOffline across a retention expiry', () => {
  it('accepts an export that starts after an expiry whose retention.expire record names its prevHash, and reports the expired range', () => {
    const chain = expiredChain();
    const result = verifyOffline({ events: chain.slice(3), checkpoints: [], keys });
    expect(result).toMatchObject({ valid: true, eventsChecked: 3, headSequence: 5, expired: { fromSequence: 0, toSequence: 2, count: 3, lastExpiredHash: chain[2].hash, recordSequence: 3 } });
  });

  it('refuses an export whose front is missing without a retention.expire record accounting for it (first bad sequence 0)', () => {
    const chain = chainOf([{}, {}, {}, {}, {}]);
    expect(verifyOffline({ events: chain.slice(3), checkpoints: [], keys })).toMatchObject({
      valid: false,
      firstBadSequence: 0,
      problem: 'sequences 0..2 are missing from the start of the stream and no retention.expire record in the log accounts for them',
    });
  });

  it('refuses an expiry record that names another hash, another range, or does not carry the service mark', () => {
    const wrongHash = expiredChain(() => expireRecord(0, 2, 'a'.repeat(64)));
    const wrongRange = expiredChain((h) => expireRecord(0, 1, h));
    const forged = expiredChain((h) => expireRecord(0, 2, h, 'billing'));
    for (const chain of [wrongHash, wrongRange, forged]) {
      expect(verifyOffline({ events: chain.slice(3), checkpoints: [], keys })).toMatchObject({ valid: false, firstBadSequence: 0 });
    }
  });

  it('still detects a rewrite of the retained part and a retained event deleted after the expiry', () => {
    const chain = expiredChain();
    const rewritten = chain.slice(3).map((e) => (e.sequence === 4 ? { ...e, action: 'invoice.delete' } : e));
    expect(verifyOffline({ events: rewritten, checkpoints: [], keys })).toMatchObject({ valid: false, firstBadSequence: 4, problem: 'hash does not match the event content' });
    const holed = chain.slice(3).filter((e) => e.sequence !== 4);
    expect(verifyOffline({ events: holed, checkpoints: [], keys })).toMatchObject({ valid: false, firstBadSequence: 4 });
  });

  it('reports checkpoints below the expiry as covering expired events, and still compares those above with the export', () => {
    const chain = expiredChain();
    const checkpoints = checkpointsAt(chain, [1, 4]);
    expect(verifyOffline({ events: chain.slice(3), checkpoints, keys })).toMatchObject({ valid: true, checkpointsChecked: 2, checkpointsCoveringExpired: 1 });
    expect(verifyOffline({ events: chain.slice(3, 4), checkpoints, keys })).toMatchObject({ valid: false, firstBadSequence: 4, contradictedCheckpoint: { sequence: 4 } });
  });
});
