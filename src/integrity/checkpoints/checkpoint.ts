import { createHash, KeyObject } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { GENESIS_HASH } from '../hash-chain';
import { PublicSigningKey, signText, verifyText } from '../signing/ed25519';

export const CHECKPOINT_RECORDED = 'IntegrityCheckpointRecorded.v1';

/** A signed statement: the tenant's audit stream had `hash` at `sequence` when it was made. */
export interface Checkpoint {
  tenantId: string;
  sequence: number;
  hash: string;
  /** SHA-256 (hex) of the JCS of the previous checkpoint of the tenant (with its signature); 64 zeros for the first. */
  previousCheckpointHash: string;
  createdAt: string;
  keyId: string;
  /** Base64 Ed25519 signature over the JCS of the checkpoint without `signature`. */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

export const FIRST_PREVIOUS_CHECKPOINT_HASH = GENESIS_HASH;

export function signCheckpoint(unsigned: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint {
  return { ...unsigned, signature: signText(privateKey, canonicalJson(unsigned)) };
}

export function checkpointHashOf(checkpoint: Checkpoint): string {
  return createHash('sha256').update(canonicalJson(checkpoint), 'utf8').digest('hex');
}

/** Only the checkpoint's own fields, whatever else a stored or exported copy carries. */
export function checkpointOf(value: Record<string, unknown>): Checkpoint {
  const { tenantId, sequence, hash, previousCheckpointHash, createdAt, keyId, signature } = value as unknown as Checkpoint;
  return { tenantId, sequence, hash, previousCheckpointHash, createdAt, keyId, signature };
}

/** null when the checkpoint is signed by one of `keys`; otherwise why not. */
export function checkpointSignatureProblem(checkpoint: Checkpoint, keys: Map<string, PublicSigningKey>): string | null {
  const key = keys.get(checkpoint.keyId);
  if (!key) return `signed with unknown key ${checkpoint.keyId}`;
  const { signature, ...unsigned } = checkpoint;
  if (typeof signature !== 'string' || !verifyText(key.key, canonicalJson(unsigned), signature)) return 'signature does not verify';
  return null;
}

/**
 * Checks a tenant's checkpoints in stream order: signatures, the link to the previous checkpoint,
 * and sequences that never go back. Returns the first problem, naming the checkpoint.
 */
export function checkpointChainProblem(
  checkpoints: Checkpoint[],
  keys: Map<string, PublicSigningKey>,
  tenantId: string,
): { checkpoint: Checkpoint; index: number; reason: string } | null {
  let previousHash = FIRST_PREVIOUS_CHECKPOINT_HASH;
  let previousSequence = -1;
  for (let index = 0; index < checkpoints.length; index++) {
    const checkpoint = checkpoints[index];
    const reason =
      checkpoint.tenantId !== tenantId
        ? `checkpoint belongs to tenant ${checkpoint.tenantId}`
        : (checkpointSignatureProblem(checkpoint, keys) ??
          (checkpoint.previousCheckpointHash !== previousHash
            ? 'previousCheckpointHash does not match the previous checkpoint'
            : checkpoint.sequence < previousSequence
              ? `sequence ${checkpoint.sequence} goes back from ${previousSequence}`
              : null));
    if (reason) return { checkpoint, index, reason };
    previousHash = checkpointHashOf(checkpoint);
    previousSequence = checkpoint.sequence;
  }
  return null;
}
