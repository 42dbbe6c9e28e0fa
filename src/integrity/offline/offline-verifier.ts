import { Checkpoint, checkpointChainProblem, checkpointOf } from '../checkpoints/checkpoint';
import { AttestedExpiry, ExpiryAttestation } from '../expired-range';
import { chainHash, GENESIS_HASH } from '../hash-chain';
import { PublicSigningKey } from '../signing/ed25519';

/**
 * Verifies an exported audit log against signed checkpoints with nothing but the files: no service,
 * no database. Everything here is plain computation so that the CLI and tests share it.
 */
export interface OfflineVerification {
  valid: boolean;
  tenantId: string | null;
  eventsChecked: number;
  checkpointsChecked: number;
  headSequence: number;
  /** The first sequence that is missing, altered, or contradicts a checkpoint. */
  firstBadSequence?: number;
  problem?: string;
  contradictedCheckpoint?: Checkpoint;
  /** Retention expired sequences 0..expired.toSequence; the retention.expire record at expired.recordSequence accounts for them. */
  expired?: AttestedExpiry;
  /** Checkpoints that sign expired sequences: their signatures and links were checked, not their events. */
  checkpointsCoveringExpired?: number;
}

type ExportedEvent = Record<string, unknown> & { sequence: number; tenantId: string; prevHash: string; hash: string };

export function verifyOffline(input: { events: Array<Record<string, unknown>>; checkpoints: Checkpoint[]; keys: Map<string, PublicSigningKey> }): OfflineVerification {
  const events = (input.events as ExportedEvent[]).slice().sort((a, b) => a.sequence - b.sequence);
  const tenantId = events[0]?.tenantId ?? input.checkpoints[0]?.tenantId ?? null;
  const result: OfflineVerification = { valid: true, tenantId, eventsChecked: 0, checkpointsChecked: 0, headSequence: events.length ? events[events.length - 1].sequence : -1 };
  const fail = (firstBadSequence: number, problem: string, contradictedCheckpoint?: Checkpoint): OfflineVerification => ({
    ...result,
    valid: false,
    firstBadSequence,
    problem,
    ...(contradictedCheckpoint ? { contradictedCheckpoint } : {}),
  });

  // The checkpoints first: a forged or reordered checkpoint vouches for nothing.
  const broken = tenantId === null ? null : checkpointChainProblem(input.checkpoints, input.keys, tenantId);
  if (broken) return fail(broken.checkpoint.sequence, `checkpoint ${broken.index} (sequence ${broken.checkpoint.sequence}): ${broken.reason}`, broken.checkpoint);
  result.checkpointsChecked = input.checkpoints.length;

  // An export taken after a retention expiry starts at the first retained sequence; its prevHash is the
  // hash of the last expired event, which a retention.expire record in the export must name.
  const first = events[0]?.sequence ?? 0;
  const firstSequence = Number.isSafeInteger(first) && first > 0 ? first : 0;
  const attestation = new ExpiryAttestation(firstSequence, firstSequence > 0 ? String(events[0].prevHash) : GENESIS_HASH);
  let prevHash = attestation.anchorHash;
  for (let index = 0; index < events.length; index++) {
    const expected = firstSequence + index;
    const event = events[index];
    if (!Number.isInteger(event.sequence)) return fail(expected, `a line has no integer sequence`);
    if (event.sequence > expected) return fail(expected, `sequences ${expected}..${event.sequence - 1} are missing from the export`);
    if (event.sequence < expected) return fail(event.sequence, `sequence ${event.sequence} appears more than once`);
    if (event.tenantId !== tenantId) return fail(expected, `event belongs to tenant ${event.tenantId}, not ${tenantId}`);
    if (event.prevHash !== prevHash) return fail(expected, 'prevHash does not match the previous event hash');
    const { hash, ...withoutHash } = event;
    let recomputed: string;
    try {
      recomputed = chainHash(event.prevHash, withoutHash);
    } catch (error) {
      return fail(expected, `cannot recompute the hash (${error instanceof Error ? error.message : String(error)})`);
    }
    if (recomputed !== hash) return fail(expected, 'hash does not match the event content');
    attestation.see(event, expected);
    prevHash = hash;
    result.eventsChecked += 1;
  }
  const missingFront = attestation.problem();
  if (missingFront) return fail(0, missingFront);
  if (attestation.attested) result.expired = attestation.attested;

  const covering = input.checkpoints.filter((c) => c.sequence < firstSequence).length;
  if (covering > 0) result.checkpointsCoveringExpired = covering;

  for (const checkpoint of input.checkpoints.slice(covering)) {
    const event = events[checkpoint.sequence - firstSequence];
    if (!event) {
      return fail(result.headSequence + 1, `the export ends at sequence ${result.headSequence}, but the checkpoint of ${checkpoint.createdAt} signed sequence ${checkpoint.sequence} (truncated or incomplete)`, checkpoint);
    }
    if (event.hash !== checkpoint.hash) {
      return fail(checkpoint.sequence, `the event at sequence ${checkpoint.sequence} has hash ${event.hash}, the checkpoint of ${checkpoint.createdAt} signed ${checkpoint.hash} (rewritten)`, checkpoint);
    }
  }
  return result;
}

/** Parses the checkpoints file: the body of GET /v1/integrity/checkpoints (`{items}`), or a plain array, or several pages' items concatenated. */
export function checkpointsOfFile(text: string): Checkpoint[] {
  const parsed: unknown = JSON.parse(text);
  const items = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown }).items;
  if (!Array.isArray(items)) throw new Error('expected the body of GET /v1/integrity/checkpoints ({"items": [...]}) or an array of checkpoints');
  return items.map((item) => checkpointOf(item as Record<string, unknown>));
}

/** Parses NDJSON: one event per non-empty line; names the line of a parse error. */
export function eventsOfNdjson(text: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch (error) {
      throw new Error(`line ${i + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return events;
}
