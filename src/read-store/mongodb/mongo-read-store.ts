import mongoose, { Connection, Model, Schema } from 'mongoose';
import { Position } from '../../event-store/event-store.port';
import { assertStorableDocument, assertValidDefinition, definitionHash } from '../collection-definition';
import { CheckpointConflictError, DefinitionChangedError } from '../read-store.errors';
import {
  CheckpointInfo,
  CollectionDefinition,
  Filter,
  FindOptions,
  PreparedProjection,
  ProjectionDefinition,
  ReadModelDocument,
  ReadStore,
  ReadStoreFaults,
  StoredDocument,
  WriteOperation,
} from '../read-store.port';
import { translateFilter, translateSort } from './mongo-filter-translator';

const CHECKPOINTS = 'projection_checkpoints';
const DUPLICATE_KEY = 11000;

interface CheckpointDoc {
  _id: string;
  version: number;
  position: string | null;
  definitionHash: string;
  collections: string[];
  updatedAt: Date;
}

type StoredShape = { _id: string; _pos: string } & Record<string, unknown>;

export interface MongoReadStoreOptions {
  uri: string;
  /** Overrides the database named in the URI (tests isolate runs this way). */
  dbName?: string;
  /**
   * Acknowledgement required of every write: `majority` (default) survives the loss of the primary;
   * always journaled (`j: true`), so an acknowledged checkpoint is on disk.
   */
  writeConcern?: 'majority' | number;
  faults?: ReadStoreFaults;
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

  private constructor(
    private readonly connection: Connection,
    options: MongoReadStoreOptions,
  ) {
    this.faults = options.faults ?? {};
    this.checkpoints = connection.model<CheckpointDoc>(
      CHECKPOINTS,
      new Schema<CheckpointDoc>(
        {
          _id: { type: String, required: true },
          version: { type: Number, required: true },
          position: { type: String, default: null },
          definitionHash: { type: String, required: true },
          collections: { type: [String], required: true },
          updatedAt: { type: Date, required: true },
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

  async prepareProjection(definition: ProjectionDefinition): Promise<PreparedProjection> {
    assertValidDefinition(definition);
    const hash = definitionHash(definition);
    const row = await this.checkpoints.findById(definition.name).lean();
    if (row && row.version === definition.version) {
      if (row.definitionHash !== hash) throw new DefinitionChangedError(definition.name, definition.version);
      await this.ensureCollections(definition.collections);
      return { position: row.position, rebuilt: false };
    }
    await this.dropCollections([...(row?.collections ?? []), ...definition.collections.map((c) => c.name)]);
    await this.ensureCollections(definition.collections);
    await this.checkpoints.replaceOne(
      { _id: definition.name },
      {
        _id: definition.name,
        version: definition.version,
        position: null,
        definitionHash: hash,
        collections: definition.collections.map((c) => c.name),
        updatedAt: new Date(),
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
    await this.checkpoints.deleteOne({ _id: definition.name });
    await this.dropCollections(definition.collections.map((c) => c.name));
  }

  async getCheckpoint(projection: string): Promise<CheckpointInfo | null> {
    const row = await this.checkpoints.findById(projection).lean();
    return row ? { name: row._id, version: row.version, position: row.position, updatedAt: row.updatedAt } : null;
  }

  async commit(projection: string, expected: Position | null, position: Position, writes: WriteOperation[]): Promise<void> {
    const current = await this.checkpoints.findById(projection, { position: 1 }).lean();
    if (!current || current.position !== expected) throw new CheckpointConflictError(projection, expected);

    const byCollection = new Map<string, WriteOperation[]>();
    for (const write of writes) byCollection.set(write.collection, [...(byCollection.get(write.collection) ?? []), write]);
    for (const [collection, ops] of byCollection) {
      const { model } = this.modelOf(collection);
      await this.guardedBulkWrite(model, ops);
    }

    this.faults.afterDataBeforeCheckpoint?.(projection);
    const moved = await this.checkpoints.updateOne({ _id: projection, position: expected }, { $set: { position, updatedAt: new Date() } });
    if (moved.matchedCount !== 1) throw new CheckpointConflictError(projection, expected);
  }

  async getWithPosition(collection: string, id: string): Promise<StoredDocument | null> {
    const stored = await this.modelOf(collection).model.findById(id).lean<StoredShape>();
    return stored ? { doc: fromStored(stored), position: stored._pos } : null;
  }

  async findById(collection: string, id: string): Promise<ReadModelDocument | null> {
    return (await this.getWithPosition(collection, id))?.doc ?? null;
  }

  async find(collection: string, filter: Filter, options: FindOptions = {}): Promise<ReadModelDocument[]> {
    const { definition, model } = this.modelOf(collection);
    const where = translateFilter(definition, filter, options);
    if (options.limit === 0) return []; // MongoDB reads limit 0 as "no limit"
    let query = model.find(where).sort(translateSort(options));
    if (options.skip) query = query.skip(options.skip);
    if (options.limit !== undefined) query = query.limit(options.limit);
    if (options.hint !== undefined) query = query.hint(options.hint);
    const rows = await query.lean<StoredShape[]>();
    return rows.map(fromStored);
  }

  async count(collection: string, filter: Filter): Promise<number> {
    const { definition, model } = this.modelOf(collection);
    return model.countDocuments(translateFilter(definition, filter));
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

  private async guardedBulkWrite(model: Model<StoredShape>, ops: WriteOperation[]): Promise<void> {
    const requests = ops.map((op) =>
      op.kind === 'put'
        ? {
            replaceOne: {
              // Matches only a document last written by an earlier event; if a later (or the same)
              // event already wrote it, the upsert collides on _id and is ignored below.
              filter: { _id: op.doc.id, _pos: { $lt: op.position } },
              replacement: toStored(op.doc, op.position),
              upsert: true,
            },
          }
        : { deleteOne: { filter: { _id: op.id, _pos: { $lt: op.position } } } },
    );
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
        if (!first || first.index === undefined || !(await this.isGuardCollision(model, ops[from + first.index], first))) throw error;
        from += first.index + 1;
      }
    }
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
    if (!op || op.kind !== 'put') return false;
    const stored = await model.findById(op.doc.id, { _pos: 1 }).lean<{ _pos: string }>();
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

function fromStored(stored: StoredShape): ReadModelDocument {
  const { _id, _pos, ...rest } = stored;
  return { id: _id, ...rest };
}
