import mongoose, { Connection, Model, Schema } from 'mongoose';
import { Position } from '../../event-store/event-store.port';
import { assertStorableDocument, assertValidDefinition, definitionHash } from '../collection-definition';
import { ownerId } from '../lease';
import { CheckpointConflictError, DefinitionChangedError, LeaseHeldError } from '../read-store.errors';
import {
  CheckpointInfo,
  CollectionDefinition,
  DEFAULT_LEASE_MS,
  Filter,
  FindOptions,
  LeaseOptions,
  PreparedProjection,
  ProjectionDefinition,
  ProjectionLease,
  ReadModelDocument,
  ReadStore,
  ReadStoreFaults,
  StoredDocument,
  WriteOperation,
} from '../read-store.port';
import { translateFilter, translateSort } from './mongo-filter-translator';

const CHECKPOINTS = 'projection_checkpoints';
const DUPLICATE_KEY = 11000;
const PREPARE_ATTEMPTS = 4;

/**
 * The checkpoint of a projection and its lease (ADR 018). A reset keeps the lease fields and removes
 * the rest: an entry without `version` is no checkpoint.
 */
interface CheckpointDoc {
  _id: string;
  version?: number;
  position?: string | null;
  definitionHash?: string;
  collections?: string[];
  updatedAt?: Date;
  leaseOwner?: string | null;
  leaseUntil?: Date | null;
}

type StoredShape = { _id: string; _pos: string; _deleted?: true; _deletedAt?: Date } & Record<string, unknown>;

/**
 * How long a tombstone is kept. It only has to outlive any runner that lost its lease in the middle of
 * a commit (ADR 018): a day is far beyond any pause an instance survives, and keeps deleted and expired
 * documents from occupying the store for ever.
 */
export const DEFAULT_TOMBSTONE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Reads never see tombstones (deleted documents kept so that a stale put cannot resurrect them). A
 * top-level condition beside the translated ones, not an `$and` around them, so that FerretDB can
 * still push the others down to its backend. `_deleted` is reserved (never a document field).
 */
function live(where: Record<string, unknown>): Record<string, unknown> {
  return { ...where, _deleted: { $exists: false } };
}

export interface MongoReadStoreOptions extends LeaseOptions {
  uri: string;
  /** Overrides the database named in the URI (tests isolate runs this way). */
  dbName?: string;
  /**
   * Acknowledgement required of every write: `majority` (default) survives the loss of the primary;
   * always journaled (`j: true`), so an acknowledged checkpoint is on disk.
   */
  writeConcern?: 'majority' | number;
  faults?: ReadStoreFaults;
  /** Tombstones older than this are purged by the lease holder (default {@link DEFAULT_TOMBSTONE_TTL_MS}). */
  tombstoneTtlMs?: number;
}

/**
 * Production read-model store on MongoDB via mongoose. Without multi-document transactions, data and
 * checkpoint are written in two steps: data first, each write guarded by the document's stored
 * position (`_pos`), then the checkpoint by compare-and-set. A crash in between replays the batch,
 * and the guard turns the replay into no-ops.
 */
export class MongoReadStore implements ReadStore {
  private readonly models = new Map<string, { definition: CollectionDefinition; model: Model<StoredShape> }>();
  private readonly faults: ReadStoreFaults;
  private readonly checkpoints: Model<CheckpointDoc>;
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly clock: () => number;
  private readonly tombstoneTtlMs: number;
  /** When this instance last purged each projection's old tombstones. */
  private readonly lastTombstoneSweep = new Map<string, number>();

  private constructor(
    private readonly connection: Connection,
    options: MongoReadStoreOptions,
  ) {
    this.faults = options.faults ?? {};
    this.owner = options.owner ?? ownerId();
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.clock = options.clock ?? Date.now;
    this.tombstoneTtlMs = options.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
    this.checkpoints = connection.model<CheckpointDoc>(
      CHECKPOINTS,
      new Schema<CheckpointDoc>(
        {
          _id: { type: String, required: true },
          version: { type: Number },
          position: { type: String },
          definitionHash: { type: String },
          collections: { type: [String], default: undefined },
          updatedAt: { type: Date },
          leaseOwner: { type: String },
          leaseUntil: { type: Date },
        },
        { collection: CHECKPOINTS, versionKey: false },
      ),
    );
  }

  static async connect(options: MongoReadStoreOptions): Promise<MongoReadStore> {
    const connection = await mongoose
      .createConnection(options.uri, {
        serverSelectionTimeoutMS: 10_000,
        autoIndex: false,
        dbName: options.dbName,
        writeConcern: { w: options.writeConcern ?? 'majority', journal: true },
      })
      .asPromise();
    return new MongoReadStore(connection, options);
  }

  /**
   * Instances starting together prepare the same projection at once. Their creations of one index
   * or upserts of one checkpoint can collide (E11000; FerretDB: "index already exists"). Once one of
   * them has finished, a retry finds the checkpoint at this version and only re-ensures the
   * collections, which is idempotent; so a server error is retried a few times before it counts.
   */
  async prepareProjection(definition: ProjectionDefinition): Promise<PreparedProjection> {
    assertValidDefinition(definition);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.prepareOnce(definition);
      } catch (error) {
        if (!(error instanceof mongoose.mongo.MongoServerError) || attempt >= PREPARE_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  private async prepareOnce(definition: ProjectionDefinition): Promise<PreparedProjection> {
    const hash = definitionHash(definition);
    const found = await this.checkpoints.findById(definition.name).lean();
    const row = found?.version === undefined ? null : found;
    if (row && row.version === definition.version) {
      if (row.definitionHash !== hash) throw new DefinitionChangedError(definition.name, definition.version);
      await this.ensureCollections(definition.collections);
      return { position: row.position ?? null, rebuilt: false };
    }
    await this.dropCollections([...(row?.collections ?? []), ...definition.collections.map((c) => c.name)]);
    await this.ensureCollections(definition.collections);
    // $set, not a replacement: the lease fields stay (a rebuild keeps its owner).
    await this.checkpoints.updateOne(
      { _id: definition.name },
      {
        $set: {
          version: definition.version,
          position: null,
          definitionHash: hash,
          collections: definition.collections.map((c) => c.name),
          updatedAt: new Date(),
        },
      },
      { upsert: true },
    );
    return { position: null, rebuilt: row !== null };
  }

  async attachProjection(definition: ProjectionDefinition): Promise<void> {
    assertValidDefinition(definition);
    for (const collection of definition.collections) this.modelFor(collection);
  }

  async resetProjection(definition: ProjectionDefinition): Promise<void> {
    await this.checkpoints.deleteOne({ _id: definition.name, leaseOwner: { $in: [null] } });
    await this.checkpoints.updateOne(
      { _id: definition.name },
      { $unset: { version: 1, position: 1, definitionHash: 1, collections: 1, updatedAt: 1 } },
    );
    await this.dropCollections(definition.collections.map((c) => c.name));
  }

  async getCheckpoint(projection: string): Promise<CheckpointInfo | null> {
    const row = await this.checkpoints.findById(projection).lean();
    if (!row || row.version === undefined) return null;
    return { name: row._id, version: row.version, position: row.position ?? null, updatedAt: row.updatedAt ?? null, lease: leaseOf(row) };
  }

  async acquireLease(projection: string, options: { force?: boolean } = {}): Promise<ProjectionLease> {
    const until = new Date(this.clock() + this.leaseMs);
    try {
      await this.checkpoints.updateOne(
        options.force ? { _id: projection } : { _id: projection, ...this.leaseFreeOrMine() },
        { $set: { leaseOwner: this.owner, leaseUntil: until } },
        { upsert: true },
      );
    } catch (error) {
      // The upsert collided on _id: the entry exists and another owner's lease is live.
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      throw await this.leaseHeld(projection);
    }
    return { owner: this.owner, until };
  }

  async releaseLease(projection: string): Promise<void> {
    await this.checkpoints.updateOne({ _id: projection, leaseOwner: this.owner }, { $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }

  async commit(projection: string, expected: Position | null, position: Position, writes: WriteOperation[]): Promise<void> {
    // Check and lease in one atomic update, before any data write: only the owner writes.
    const taken = await this.checkpoints.updateOne(
      { _id: projection, version: { $exists: true }, position: expected, ...this.leaseFreeOrMine() },
      { $set: { leaseOwner: this.owner, leaseUntil: new Date(this.clock() + this.leaseMs) } },
    );
    if (taken.matchedCount !== 1) {
      // Another owner's live lease first: it also covers a reset in progress (no checkpoint yet).
      const row = await this.checkpoints.findById(projection).lean();
      const lease = row ? leaseOf(row) : null;
      if (lease && lease.owner !== this.owner && lease.until.getTime() > this.clock()) throw new LeaseHeldError(projection, lease.owner, lease.until);
      throw new CheckpointConflictError(projection, expected);
    }
    await this.faults.afterCheckBeforeData?.(projection);

    const byCollection = new Map<string, WriteOperation[]>();
    for (const write of writes) byCollection.set(write.collection, [...(byCollection.get(write.collection) ?? []), write]);
    for (const [collection, ops] of byCollection) {
      const { model, definition } = this.modelOf(collection);
      await this.guardedBulkWrite(model, definition, ops);
    }

    this.faults.afterDataBeforeCheckpoint?.(projection);
    const moved = await this.checkpoints.updateOne(
      { _id: projection, position: expected, leaseOwner: this.owner },
      { $set: { position, updatedAt: new Date(), leaseUntil: new Date(this.clock() + this.leaseMs) } },
    );
    if (moved.matchedCount !== 1) throw new CheckpointConflictError(projection, expected);
    await this.sweepTombstones(projection);
  }

  /** At most every 1/24 of the TTL (hourly by default), the lease holder purges its expired tombstones. */
  private async sweepTombstones(projection: string): Promise<void> {
    const now = this.clock();
    const last = this.lastTombstoneSweep.get(projection);
    if (last !== undefined && now - last < this.tombstoneTtlMs / 24) return;
    this.lastTombstoneSweep.set(projection, now);
    const row = await this.checkpoints.findById(projection).lean();
    for (const collection of row?.collections ?? []) {
      const entry = this.models.get(collection);
      if (entry) await entry.model.collection.deleteMany({ _deletedAt: { $lt: new Date(now - this.tombstoneTtlMs) } });
    }
  }

  private leaseFreeOrMine() {
    return { $or: [{ leaseOwner: { $in: [null, this.owner] } }, { leaseUntil: { $lte: new Date(this.clock()) } }] };
  }

  private async leaseHeld(projection: string): Promise<Error> {
    const row = await this.checkpoints.findById(projection).lean();
    const lease = row ? leaseOf(row) : null;
    return lease ? new LeaseHeldError(projection, lease.owner, lease.until) : new CheckpointConflictError(projection, null);
  }

  async getWithPosition(collection: string, id: string): Promise<StoredDocument | null> {
    const stored = await this.modelOf(collection).model.findById(id).lean<StoredShape>();
    return stored && !stored._deleted ? { doc: fromStored(stored), position: stored._pos } : null;
  }

  async findById(collection: string, id: string): Promise<ReadModelDocument | null> {
    return (await this.getWithPosition(collection, id))?.doc ?? null;
  }

  async find(collection: string, filter: Filter, options: FindOptions = {}): Promise<ReadModelDocument[]> {
    const { definition, model } = this.modelOf(collection);
    const where = translateFilter(definition, filter, options);
    if (options.limit === 0) return []; // MongoDB reads limit 0 as "no limit"
    let query = model.find(live(where)).sort(translateSort(options));
    if (options.skip) query = query.skip(options.skip);
    if (options.limit !== undefined) query = query.limit(options.limit);
    if (options.hint !== undefined) query = query.hint(options.hint);
    const rows = await query.lean<StoredShape[]>();
    return rows.map(fromStored);
  }

  async count(collection: string, filter: Filter): Promise<number> {
    const { definition, model } = this.modelOf(collection);
    return model.countDocuments(live(translateFilter(definition, filter)));
  }

  async ping(): Promise<void> {
    await this.connection.db!.admin().ping();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Drops the whole database (test clean-up). */
  async dropDatabase(): Promise<void> {
    await this.connection.dropDatabase();
  }

  private async guardedBulkWrite(model: Model<StoredShape>, definition: CollectionDefinition, ops: WriteOperation[]): Promise<void> {
    const idOf = (op: WriteOperation) => (op.kind === 'put' ? op.doc.id : op.id);
    const stored = (op: WriteOperation) => (op.kind === 'put' ? toStored(op.doc, op.position) : tombstone(definition, op.id, op.position, new Date(this.clock())));
    const guarded = (op: WriteOperation) => ({
      replaceOne: {
        // Matches only a document last written by an earlier event; if a later (or the same)
        // event already wrote it, the upsert collides on _id and is ignored below. A delete leaves a
        // tombstone at its position, so a stale put (a runner that lost its lease) cannot resurrect it.
        filter: { _id: idOf(op), _pos: { $lt: op.position } },
        replacement: stored(op),
        upsert: true,
      },
    });
    // Documents not stored yet (most of them: an audit event is written once) are plain inserts, which
    // the driver sends as one command; a guarded replace costs a round of matching per document, and
    // on FerretDB milliseconds each (docs/ferretdb-compatibility.md).
    const existing = new Set(
      (await model.find({ _id: { $in: [...new Set(ops.map(idOf))] } }, { _id: 1 }).lean<Array<{ _id: string }>>()).map((d) => d._id),
    );
    const seen = new Set<string>();
    const requests: object[] = ops.map((op) => {
      const id = idOf(op);
      const fresh = !existing.has(id) && !seen.has(id);
      seen.add(id);
      return fresh ? { insertOne: { document: stored(op) } } : guarded(op);
    });
    // Ordered, resumed after each guard collision: FerretDB stops an unordered bulk write at its first
    // error (MongoDB goes on), so this is the one form that applies every write on both servers.
    for (let from = 0; from < requests.length; ) {
      try {
        await model.collection.bulkWrite(requests.slice(from) as never, { ordered: true });
        return;
      } catch (error) {
        // Only an _id collision means "a later event already wrote this document"; a collision on a
        // declared unique index is a real failure, as it is in SQLite.
        const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
        const [first] = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as DuplicateKeyWriteError[];
        if (!first || first.index === undefined) throw error;
        const at = from + first.index;
        if ('insertOne' in requests[at]) {
          // Stored meanwhile (another runner, or a replay): skip it if a later event wrote it, else replace it, guarded.
          const keyPattern = first.keyPattern ?? first.err?.keyPattern;
          if ((first.code ?? first.err?.code) !== DUPLICATE_KEY || (keyPattern && Object.keys(keyPattern).join() !== '_id')) throw error;
          const storedAt = await this.storedPosition(model, ops[at]);
          if (storedAt === null) throw error; // a collision on a declared unique index
          if (storedAt < ops[at].position) requests[at] = guarded(ops[at]);
          from = storedAt < ops[at].position ? at : at + 1;
        } else if (await this.isGuardCollision(model, ops[at], first)) {
          from = at + 1;
        } else {
          throw error;
        }
      }
    }
  }

  /** Position of the event that last wrote the operation's document, or null if none is stored. */
  private async storedPosition(model: Model<StoredShape>, op: WriteOperation): Promise<string | null> {
    const stored = await model.findById(op.kind === 'put' ? op.doc.id : op.id, { _pos: 1 }).lean<{ _pos: string }>();
    return stored?._pos ?? null;
  }

  /**
   * A duplicate-key error (code 11000) is the position guard at work when it is on `_id` and the stored
   * document is at or after the write's position. MongoDB names the index (`keyPattern`); FerretDB does
   * not, so without it the stored document decides (see docs/ferretdb-compatibility.md).
   */
  private async isGuardCollision(model: Model<StoredShape>, op: WriteOperation | undefined, writeError: DuplicateKeyWriteError): Promise<boolean> {
    if ((writeError.code ?? writeError.err?.code) !== DUPLICATE_KEY) return false;
    const keyPattern = writeError.keyPattern ?? writeError.err?.keyPattern;
    if (keyPattern) return Object.keys(keyPattern).join() === '_id';
    if (!op) return false;
    const stored = await model.findById(op.kind === 'put' ? op.doc.id : op.id, { _pos: 1 }).lean<{ _pos: string }>();
    return stored !== null && stored._pos >= op.position;
  }

  private async ensureCollections(collections: CollectionDefinition[]): Promise<void> {
    for (const collection of collections) {
      const entry = this.modelFor(collection);
      await entry.model.createCollection().catch((error: { codeName?: string }) => {
        if (error.codeName !== 'NamespaceExists') throw error;
      });
      await entry.model.createIndexes();
    }
  }

  /** The mongoose model of a collection, with its declared indexes (created by ensureCollections). */
  private modelFor(collection: CollectionDefinition) {
    let entry = this.models.get(collection.name);
    if (!entry) {
      const schema = new Schema<StoredShape>(
        { _id: { type: String, required: true }, _pos: { type: String, required: true } },
        // strictQuery false: filters on fields outside this minimal schema must reach the server
        // (they were validated against the collection definition already).
        { collection: collection.name, strict: false, strictQuery: false, versionKey: false, autoIndex: false, autoCreate: false },
      );
      for (const index of collection.indexes) {
        schema.index(Object.fromEntries(index.keys), { name: index.name, unique: index.unique ?? false });
      }
      // Finds the tombstones to purge without a scan; live documents have no _deletedAt.
      schema.index({ _deletedAt: 1 }, { name: '_tombstones' });
      if (this.connection.models[collection.name]) this.connection.deleteModel(collection.name);
      entry = { definition: collection, model: this.connection.model<StoredShape>(collection.name, schema) };
      this.models.set(collection.name, entry);
    }
    return entry;
  }

  private async dropCollections(names: string[]): Promise<void> {
    for (const name of new Set(names)) {
      await this.connection.dropCollection(name).catch((error: { codeName?: string }) => {
        if (error.codeName !== 'NamespaceNotFound') throw error;
      });
      this.models.delete(name);
    }
  }

  private modelOf(collection: string) {
    const entry = this.models.get(collection);
    if (!entry) throw new Error(`Unknown collection "${collection}": no prepared projection declares it`);
    return entry;
  }
}

interface DuplicateKeyWriteError {
  code?: number;
  index?: number;
  keyPattern?: Record<string, unknown>;
  err?: { code?: number; keyPattern?: Record<string, unknown> };
}

/** Stores exactly what SQLite would: the document's JSON form (no undefined, Dates as strings). */
function toStored(doc: ReadModelDocument, position: Position): StoredShape {
  assertStorableDocument(doc);
  const { id, ...rest } = JSON.parse(JSON.stringify(doc)) as ReadModelDocument;
  return { ...rest, _id: id, _pos: position };
}

/**
 * A deleted document: its id and position only, plus a value unique to it in every field of a unique
 * index, so that tombstones never collide with each other or with a live document there (a partial
 * index would say this more directly, but FerretDB 1.24 has none; docs/ferretdb-compatibility.md).
 */
function tombstone(definition: CollectionDefinition, id: string, position: Position, deletedAt: Date): StoredShape {
  const stored: StoredShape = { _id: id, _pos: position, _deleted: true, _deletedAt: deletedAt };
  const uniqueFields = new Set(definition.indexes.filter((i) => i.unique).flatMap((i) => i.keys.map(([field]) => field)));
  for (const field of uniqueFields) setAt(stored, field, `\u0000deleted:${id}`);
  return stored;
}

function setAt(target: Record<string, unknown>, dotPath: string, value: unknown): void {
  const parts = dotPath.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
}

function leaseOf(row: CheckpointDoc): ProjectionLease | null {
  return row.leaseOwner && row.leaseUntil ? { owner: row.leaseOwner, until: new Date(row.leaseUntil) } : null;
}

function fromStored(stored: StoredShape): ReadModelDocument {
  const { _id, _pos, _deleted, _deletedAt, ...rest } = stored;
  return { id: _id, ...rest };
}
