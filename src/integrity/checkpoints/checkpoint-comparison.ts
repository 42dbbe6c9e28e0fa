import { Inject, Injectable } from '@nestjs/common';
import { StoredAuditEvent } from '../../audit-log/audit-event';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { auditStreamOf } from '../../event-store/stream-names';
import { SIGNING_KEYS, SigningKeys, verificationKeysOf } from '../signing/signing-keys';
import { Checkpoint, checkpointChainProblem } from './checkpoint';
import { CheckpointReader } from './checkpoint-reader';

/** What `verify` adds from the signed checkpoints (ADR 017). */
export interface CheckpointAgreement {
  /** Checkpoints whose signature and link were checked. */
  checkpointsChecked: number;
  /** The newest checkpoint, which the stream must reach and agree with. */
  latestCheckpoint?: Checkpoint;
  /** Set when the stream or the checkpoints themselves contradict a signed checkpoint. */
  contradictedCheckpoint?: Checkpoint;
  checkpointProblem?: string;
  /**
   * Checkpoints whose sequence lies in the front retention expired (ADR 025): their signatures and
   * links were checked, but the events they sign are gone by policy, so they vouch for nothing in
   * the stream and are not compared with it.
   */
  checkpointsCoveringExpired?: number;
}

/**
 * Compares a tenant's audit stream with its signed checkpoints. The chain links every event to the
 * previous one, so agreeing with the newest checkpoint vouches for everything before it; on a
 * disagreement the checkpoints are searched for the earliest one contradicted.
 */
@Injectable()
export class CheckpointComparison {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(SIGNING_KEYS) private readonly keys: SigningKeys | null,
    private readonly reader: CheckpointReader,
  ) {}

  /**
   * `expiredBefore`: the first sequence retained after an expiry the verified chain accounts for
   * (0 when nothing expired); checkpoints below it are reported as covering expired events.
   */
  async compare(tenantId: string, expiredBefore = 0): Promise<CheckpointAgreement> {
    const checkpoints = await this.reader.all(tenantId);
    const latestCheckpoint = checkpoints.at(-1);
    const result: CheckpointAgreement = { checkpointsChecked: checkpoints.length, latestCheckpoint };
    const broken = checkpointChainProblem(checkpoints, this.keys ? verificationKeysOf(this.keys) : new Map(), tenantId);
    if (broken) return { ...result, checkpointsChecked: broken.index, contradictedCheckpoint: broken.checkpoint, checkpointProblem: `checkpoint at sequence ${broken.checkpoint.sequence}: ${broken.reason}` };
    const covering = checkpoints.filter((c) => c.sequence < expiredBefore).length;
    if (covering > 0) result.checkpointsCoveringExpired = covering;
    const comparable = checkpoints.slice(covering);
    const latestComparable = comparable.at(-1);
    if (!latestComparable || (await this.disagreement(tenantId, latestComparable)) === null) return result;
    for (const checkpoint of comparable) {
      const problem = await this.disagreement(tenantId, checkpoint);
      if (problem) return { ...result, contradictedCheckpoint: checkpoint, checkpointProblem: problem };
    }
    return result;
  }

  private async disagreement(tenantId: string, checkpoint: Checkpoint): Promise<string | null> {
    const [recorded] = await this.events.readStream(auditStreamOf(tenantId), { fromRevision: checkpoint.sequence, maxCount: 1 });
    if (!recorded || recorded.revision !== checkpoint.sequence) {
      return `the stream no longer holds sequence ${checkpoint.sequence}, signed in the checkpoint of ${checkpoint.createdAt} (truncated)`;
    }
    const hash = (recorded.data as unknown as StoredAuditEvent).hash;
    return hash === checkpoint.hash ? null : `the event at sequence ${checkpoint.sequence} has hash ${hash}, the checkpoint of ${checkpoint.createdAt} signed ${checkpoint.hash} (rewritten)`;
  }
}
