import { ChainVerification } from '../verify-chain/chain-verifier';
import { CheckpointAgreement } from './checkpoint-comparison';

/**
 * A chain verification completed with the checkpoint agreement: a contradicted checkpoint makes it
 * invalid. The first bad sequence is the chain's own when it found one, else the sequence after the
 * stream's head (truncation) or the contradicted checkpoint's sequence (rewrite).
 */
export function withCheckpoints(chain: ChainVerification, agreement: CheckpointAgreement): ChainVerification & Partial<CheckpointAgreement> {
  // A tenant without checkpoints yet gets the answer it always had.
  if (agreement.checkpointsChecked === 0 && !agreement.contradictedCheckpoint) return chain;
  const merged = { ...chain, ...agreement };
  if (!agreement.contradictedCheckpoint) return merged;
  const contradicted = agreement.contradictedCheckpoint;
  const truncated = contradicted.sequence > chain.headSequence;
  return {
    ...merged,
    valid: false,
    firstInvalidSequence: chain.firstInvalidSequence ?? (truncated ? chain.headSequence + 1 : contradicted.sequence),
    reason: chain.reason ?? agreement.checkpointProblem,
  };
}
