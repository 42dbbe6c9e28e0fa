import { Position } from '../event-store/event-store.port';

export class CheckpointConflictError extends Error {
  constructor(
    readonly projection: string,
    readonly expected: Position | null,
  ) {
    super(`Checkpoint of projection ${projection} is no longer at ${expected ?? 'the start'}`);
    this.name = 'CheckpointConflictError';
  }
}

/** A query used a field the collection does not declare (it would be unindexed, or unknown). */
export class UndeclaredFieldError extends Error {
  constructor(
    readonly collection: string,
    readonly field: string,
  ) {
    super(`Collection ${collection} does not declare field "${field}"`);
    this.name = 'UndeclaredFieldError';
  }
}

export class DefinitionChangedError extends Error {
  constructor(projection: string, version: number) {
    super(`Projection ${projection}: collection definitions changed but version is still ${version}; bump the version to rebuild it`);
    this.name = 'DefinitionChangedError';
  }
}

/** A filter outside the port's query language (unknown operator, wrong operand type, bad limit). */
export class InvalidQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

/**
 * Another owner (service instance, rebuild CLI) holds the projection's lease (ADR 018): this runner
 * must not write. It may try again once the lease may have expired (`until`).
 */
export class LeaseHeldError extends Error {
  constructor(
    readonly projection: string,
    readonly owner: string,
    readonly until: Date,
  ) {
    super(`Projection ${projection} is owned by ${owner} until ${until.toISOString()}`);
    this.name = 'LeaseHeldError';
  }
}
