import { Injectable } from '@nestjs/common';
import { CooperativeScheduler } from './cooperative-scheduler';

/**
 * Live streams open in bursts (a SIEM or a dashboard reconnecting hundreds of tails at once), and the
 * openings of a burst resume together: one group commit of their self-audit records resolves them
 * all in the same microtask drain, which held `/health` for 50–90 ms per 50 openings. Each opening
 * goes on in its own turn of the event loop instead, so other requests are served between any two.
 */
@Injectable()
export class StreamOpenings {
  private readonly turns = new CooperativeScheduler(0);

  /** Resolves on a later turn of the event loop, after the openings that queued before. */
  turn(): Promise<void> {
    return this.turns.nextTurn();
  }
}
