/**
 * The read-model store port: query-optimised, rebuildable views derived from the event store.
 * Adapters: embedded SQLite and MongoDB (mongoose); both pass test/contracts/read-store.contract.ts.
 *
 * Every document remembers the log position of the event that last wrote it. Writes are applied only
 * when they come from a later position than the stored one, which makes replays after a crash
 * harmless on stores without multi-document transactions.
 */
import { Position } from '../event-store/event-store.port';

/** Injection token for the configured {@link ReadStore} adapter. */
export const READ_STORE = Symbol('READ_STORE');

export type FieldType = 'string' | 'number' | 'boolean';

export interface IndexDefinition {
  name: string;
  keys: Array<[field: string, direction: 1 | -1]>;
  unique?: boolean;
}

export interface CollectionDefinition {
  /** Lower-case snake_case, unique across projections. */
  name: string;
  /** Fields (dot paths into the document) that queries may filter or sort on. `id` always may. */
  fields: Record<string, FieldType>;
  indexes: IndexDefinition[];
}

export interface ReadModelDocument {
  id: string;
  [field: string]: unknown;
}

export type Scalar = string | number | boolean | null;

export interface Comparison {
  $eq?: Scalar;
  $ne?: Scalar;
  $gt?: string | number;
  $gte?: string | number;
  $lt?: string | number;
  $lte?: string | number;
  $in?: Scalar[];
}

/** A MongoDB-style filter subset that both adapters translate: field conditions, $and, $or. */
export interface Filter {
  $and?: Filter[];
  $or?: Filter[];
  [field: string]: Scalar | Comparison | Filter[] | undefined;
}

export interface FindOptions {
  sort?: Array<[field: string, direction: 1 | -1]>;
  limit?: number;
  /** Leave out this many matching documents first (in sort order). */
  skip?: number;
  /** Name of a declared index to use: for callers that know which index is selective. */
  hint?: string;
  /**
   * A long walk of an index, window after window (an export): a store may serve it differently from
   * page reads (the embedded store reads it through a memory map, ADR 032). Results are the same.
   */
  bulk?: boolean;
}

export interface ProjectionDefinition {
  name: string;
  /** Bump to rebuild the projection from the start of the log. */
  version: number;
  collections: CollectionDefinition[];
}

export type WriteOperation =
  | { kind: 'put'; collection: string; doc: ReadModelDocument; position: Position }
  | { kind: 'delete'; collection: string; id: string; position: Position };

export interface StoredDocument {
  doc: ReadModelDocument;
  /** Position of the event that last wrote the document. */
  position: Position;
}

export interface PreparedProjection {
  /** Resume after this position (null: from the start). */
  position: Position | null;
  /** True if stored data was dropped because the version changed. */
  rebuilt: boolean;
}

export interface CheckpointInfo {
  name: string;
  version: number;
  position: Position | null;
  updatedAt: Date | null;
  /** The projection's owner (ADR 018), if a lease was ever taken and not released. */
  lease: ProjectionLease | null;
}

/** One owner per projection: only the lease holder writes its data and moves its checkpoint. */
export interface ProjectionLease {
  owner: string;
  until: Date;
}

/** Lease settings shared by both adapters. */
export interface LeaseOptions {
  /** This store instance's owner id (default: host, pid and a random suffix). */
  owner?: string;
  /** How long a lease lives without renewal (default {@link DEFAULT_LEASE_MS}). */
  leaseMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
}

/** Long enough for one large batch on a slow server; an owner that dies is replaced after at most this. */
export const DEFAULT_LEASE_MS = 10_000;

export interface ReadStore {
  /**
   * Creates the projection's collections and indexes. If the stored version differs from the given
   * one, drops its data and checkpoint first (rebuild). Refuses changed collection definitions
   * under an unchanged version.
   */
  prepareProjection(definition: ProjectionDefinition): Promise<PreparedProjection>;
  /**
   * Makes a projection's collections queryable from this connection without creating, checking or
   * dropping anything (another thread or process runs and prepares the projection).
   */
  attachProjection(definition: ProjectionDefinition): Promise<void>;
  /** Drops the projection's data and checkpoint; it will be rebuilt from the start of the log. */
  resetProjection(definition: ProjectionDefinition): Promise<void>;
  getCheckpoint(projection: string): Promise<CheckpointInfo | null>;
  /** This store instance's lease owner id. */
  readonly owner: string;
  /**
   * Applies `writes` (position-guarded) and moves the checkpoint from `expected` to `position`.
   * Before any write it takes or renews the projection's lease for {@link owner}, atomically with the
   * checkpoint check. Throws LeaseHeldError if another owner holds a live lease, and
   * CheckpointConflictError if the stored checkpoint is not `expected` (another runner or a reset
   * moved it); the caller then resumes from the stored checkpoint. A commit of no writes from a
   * position to itself only renews the lease.
   */
  commit(projection: string, expected: Position | null, position: Position, writes: WriteOperation[]): Promise<void>;
  /**
   * Takes the projection's lease for {@link owner} (creating its checkpoint entry if missing) unless
   * another owner holds a live one (then LeaseHeldError); `force` takes it regardless. The lease
   * survives resetProjection and prepareProjection, so a rebuild keeps it.
   */
  acquireLease(projection: string, options?: { force?: boolean }): Promise<ProjectionLease>;
  /** Gives the lease up if {@link owner} holds it, so that another runner takes over at once. */
  releaseLease(projection: string): Promise<void>;
  getWithPosition(collection: string, id: string): Promise<StoredDocument | null>;
  findById(collection: string, id: string): Promise<ReadModelDocument | null>;
  find(collection: string, filter: Filter, options?: FindOptions): Promise<ReadModelDocument[]>;
  count(collection: string, filter: Filter): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Test seam: lets the contract suite inject a crash between the data and the checkpoint write. */
export interface ReadStoreFaults {
  /** Mongo: after the checkpoint check and lease, before the data; SQLite: before its transaction. */
  afterCheckBeforeData?(projection: string): void | Promise<void>;
  afterDataBeforeCheckpoint?(projection: string): void;
}
