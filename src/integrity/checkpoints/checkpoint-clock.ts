/** Injection token of the clock checkpoints are timed and stamped with (tests pass a controllable one). */
export const CHECKPOINT_CLOCK = Symbol('CHECKPOINT_CLOCK');
export type CheckpointClock = () => Date;
