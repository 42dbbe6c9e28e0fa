import { plainToInstance, Transform } from 'class-transformer';
import { IsEnum, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf, validateSync } from 'class-validator';
import { createPublicKey } from 'node:crypto';
import * as path from 'node:path';
import { DEFAULT_LEASE_MS } from '../read-store/read-store.port';

export enum EventStoreKind {
  Sqlite = 'sqlite',
  EventStoreDb = 'eventstoredb',
}

export enum ReadStoreKind {
  Sqlite = 'sqlite',
  MongoDb = 'mongodb',
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Default of JWT_MAX_LIFETIME_SECONDS: 24 h. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** Default of HTTP_REQUEST_TIMEOUT_MS. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default of ACCESS_DENIAL_WINDOW_SECONDS. */
export const DEFAULT_DENIAL_WINDOW_SECONDS = 60;

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The environment variables the service reads, validated once at boot. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsEnum(EventStoreKind)
  EVENT_STORE: EventStoreKind = EventStoreKind.Sqlite;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsEnum(ReadStoreKind)
  READ_STORE: ReadStoreKind = ReadStoreKind.Sqlite;

  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.EVENT_STORE === EventStoreKind.EventStoreDb)
  @IsString({ message: 'EVENTSTORE_CONNECTION_STRING is required when EVENT_STORE=eventstoredb' })
  @MinLength(1)
  EVENTSTORE_CONNECTION_STRING?: string;

  /** EventStoreDB's MaxAppendSize (server setting, 1 MiB by default): group commits stay under it. */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(65_536)
  EVENTSTORE_MAX_APPEND_BYTES: number = 1024 * 1024;

  /** Write concern of read-model writes: `majority` (default) or a number of members; always journaled. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(majority|[1-9][0-9]?)$/, { message: 'MONGODB_WRITE_CONCERN must be "majority" or a member count (1-99)' })
  MONGODB_WRITE_CONCERN: string = 'majority';

  @Transform(emptyToUndefined)
  @ValidateIf((env: EnvironmentVariables) => env.READ_STORE === ReadStoreKind.MongoDb)
  @IsString({ message: 'MONGODB_URI is required when READ_STORE=mongodb' })
  @MinLength(1)
  MONGODB_URI?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  DATA_DIR: string = './data';

  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  HOST: string = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(LOG_LEVELS as unknown as string[])
  LOG_LEVEL: LogLevel = 'info';

  /** Where projections run: a worker thread of this process (default), or the main thread. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['worker', 'inline'])
  PROJECTION_MODE: 'worker' | 'inline' = 'worker';

  /**
   * How long a projection's ownership lease lives without renewal (ADR 018): after a crash, another
   * instance (or the restarted one under a new owner id) waits at most this long to take over.
   */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  PROJECTION_LEASE_MS: number = DEFAULT_LEASE_MS;

  /** HS256 shared secret (at least 32 characters). Exclusive with JWT_PUBLIC_KEY. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  /** RS256/ES256 public key (PEM; literal "\n" sequences are accepted). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_PUBLIC_KEY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_ISSUER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  JWT_AUDIENCE?: string;

  /** Longest accepted token lifetime: exp - iat, and exp - now (seconds). */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(366 * 24 * 60 * 60)
  JWT_MAX_LIFETIME_SECONDS: number = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;

  /** Longest time a client may take to send a whole request (headers and body), in milliseconds. */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS: number = DEFAULT_REQUEST_TIMEOUT_MS;

  /** Repeated access denials of one caller, tenant, route and reason are summarised per window (seconds). */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 60 * 60)
  ACCESS_DENIAL_WINDOW_SECONDS: number = DEFAULT_DENIAL_WINDOW_SECONDS;
  /** Concurrent exports + integrity verifies per tenant; more answer 429 with Retry-After. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  READ_CONCURRENCY_PER_TENANT: number = 4;

  /** Concurrent list (search) requests per tenant. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  LIST_CONCURRENCY_PER_TENANT: number = 8;

  /** Concurrent live tails (SSE) per tenant. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  STREAM_CONCURRENCY_PER_TENANT: number = 16;

  /** Index entries one list request examines at most; a page may then hold fewer items plus a nextCursor. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(10_000_000)
  LIST_SCAN_MAX_ROWS: number = 10_000;

  /** How long (ms) a long read runs before it gives the event loop back (ADR 012). */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  READ_SLICE_MS: number = READ_SLICE_MS;

  /** Ed25519 private key (PEM PKCS8) signing checkpoints and reports; required in production. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SIGNING_KEY_FILE?: string;

  /** PEM file of earlier signing public keys (one or more blocks), still accepted when verifying. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SIGNING_PREVIOUS_PUBLIC_KEYS_FILE?: string;

  /** Shortest time between two checkpoints of a tenant whose log grew (seconds). */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 60 * 60)
  CHECKPOINT_INTERVAL_SECONDS: number = 60;

  /** A tenant's log is checkpointed at least every this many events, however short the interval. */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  CHECKPOINT_EVERY_EVENTS: number = 10_000;
}

function toOptionalNumber({ value }: { value: unknown }): unknown {
  return value === '' || value === undefined ? undefined : Number(value);
}

export type SigningKeyConfig =
  | { kind: 'file'; privateKeyFile: string; previousPublicKeysFile?: string }
  /** Development only: an Ed25519 key generated into DATA_DIR on first start. */
  | { kind: 'dev-generated'; previousPublicKeysFile?: string }
  /** Production without SIGNING_KEY_FILE: the service refuses to start (assertServiceConfig). */
  | { kind: 'missing'; previousPublicKeysFile?: string };

export type JwtKeyConfig =
  | { kind: 'secret'; secret: string }
  | { kind: 'public-key'; publicKeyPem: string; algorithm: 'RS256' | 'ES256' }
  /** Development only: a random secret generated into DATA_DIR on first start. */
  | { kind: 'dev-generated' };

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  eventStore: { kind: EventStoreKind.Sqlite; file: string } | { kind: EventStoreKind.EventStoreDb; connectionString: string; maxAppendBytes: number };
  readStore:
    | { kind: ReadStoreKind.Sqlite; file: string; cacheMiB: number }
    | { kind: ReadStoreKind.MongoDb; uri: string; writeConcern: 'majority' | number };
  dataDir: string;
  http: { host: string; port: number };
  logLevel: LogLevel;
  jwt: { key: JwtKeyConfig; issuer?: string; audience?: string; maxLifetimeSeconds: number };
  /** Slow-body defence: a request not fully received within this time is answered 408 and closed. */
  httpLimits: { requestTimeoutMs: number };
  /** Aggregation window of repeated access denials (self-audit). */
  accessDenials: { windowSeconds: number };
  projections: { mode: 'worker' | 'inline'; leaseMs: number };
  reads: ReadLimitsConfig;
  signing: SigningKeyConfig;
  checkpoints: { intervalSeconds: number; everyEvents: number };
}

/** Bounds on long reads (ADR 012). */
export interface ReadLimitsConfig {
  concurrencyPerTenant: { bulk: number; list: number; stream: number };
  listScanMaxRows: number;
  /** How long a long read runs before it gives the event loop back. */
  sliceMs: number;
}

/** A long read gives the event loop back after this long (ADR 012). */
export const READ_SLICE_MS = 2;

/** SQLite page cache of read.db for a connection that only queries (the OS page cache does the rest). */
export const QUERY_CACHE_MIB = 32;
/** ...and for the connection that writes projections: hot index pages stay cached between commits. */
export const PROJECTION_CACHE_MIB = 192;

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Reads and validates configuration from an environment map. Throws naming every bad variable. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.fromEntries(
    Object.keys(new EnvironmentVariables())
      .concat(['EVENTSTORE_CONNECTION_STRING', 'MONGODB_URI', 'JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_ISSUER', 'JWT_AUDIENCE', 'SIGNING_KEY_FILE', 'SIGNING_PREVIOUS_PUBLIC_KEYS_FILE'])
      .filter((key) => env[key] !== undefined)
      .map((key) => [key, env[key]]),
  );
  const parsed = plainToInstance(EnvironmentVariables, known, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigValidationError(
      errors.map((e) => {
        const received = e.property in known ? JSON.stringify(redact(e.property, known[e.property])) : 'missing';
        return `${e.property} (got ${received}): ${Object.values(e.constraints ?? {}).join('; ')}`;
      }),
    );
  }

  const jwtKey = resolveJwtKey(parsed);
  const signing = resolveSigningKey(parsed);
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    nodeEnv: parsed.NODE_ENV,
    eventStore:
      parsed.EVENT_STORE === EventStoreKind.EventStoreDb
        ? { kind: EventStoreKind.EventStoreDb, connectionString: parsed.EVENTSTORE_CONNECTION_STRING!, maxAppendBytes: parsed.EVENTSTORE_MAX_APPEND_BYTES }
        : { kind: EventStoreKind.Sqlite, file: path.join(dataDir, 'events.db') },
    readStore:
      parsed.READ_STORE === ReadStoreKind.MongoDb
        ? {
            kind: ReadStoreKind.MongoDb,
            uri: parsed.MONGODB_URI!,
            writeConcern: parsed.MONGODB_WRITE_CONCERN === 'majority' ? 'majority' : Number(parsed.MONGODB_WRITE_CONCERN),
          }
        : { kind: ReadStoreKind.Sqlite, file: path.join(dataDir, 'read.db'), cacheMiB: QUERY_CACHE_MIB },
    dataDir,
    http: { host: parsed.HOST, port: parsed.PORT },
    logLevel: parsed.LOG_LEVEL,
    jwt: { key: jwtKey, issuer: parsed.JWT_ISSUER, audience: parsed.JWT_AUDIENCE, maxLifetimeSeconds: parsed.JWT_MAX_LIFETIME_SECONDS },
    httpLimits: { requestTimeoutMs: parsed.HTTP_REQUEST_TIMEOUT_MS },
    accessDenials: { windowSeconds: parsed.ACCESS_DENIAL_WINDOW_SECONDS },
    projections: { mode: parsed.PROJECTION_MODE, leaseMs: parsed.PROJECTION_LEASE_MS },
    reads: {
      concurrencyPerTenant: { bulk: parsed.READ_CONCURRENCY_PER_TENANT, list: parsed.LIST_CONCURRENCY_PER_TENANT, stream: parsed.STREAM_CONCURRENCY_PER_TENANT },
      listScanMaxRows: parsed.LIST_SCAN_MAX_ROWS,
      sliceMs: parsed.READ_SLICE_MS,
    },
    signing,
    checkpoints: { intervalSeconds: parsed.CHECKPOINT_INTERVAL_SECONDS, everyEvents: parsed.CHECKPOINT_EVERY_EVENTS },
  };
}

function resolveSigningKey(env: EnvironmentVariables): SigningKeyConfig {
  const previousPublicKeysFile = env.SIGNING_PREVIOUS_PUBLIC_KEYS_FILE ? path.resolve(env.SIGNING_PREVIOUS_PUBLIC_KEYS_FILE) : undefined;
  if (env.SIGNING_KEY_FILE) return { kind: 'file', privateKeyFile: path.resolve(env.SIGNING_KEY_FILE), previousPublicKeysFile };
  if (env.NODE_ENV === 'production') return { kind: 'missing', previousPublicKeysFile };
  return { kind: 'dev-generated', previousPublicKeysFile };
}

/**
 * Checks what only the service needs (the command-line tools load the same configuration without it):
 * in production, a signing key. Throws a ConfigValidationError (exit 78 at start).
 */
export function assertServiceConfig(config: AppConfig): void {
  if (config.signing.kind === 'missing') {
    throw new ConfigValidationError(['SIGNING_KEY_FILE: an Ed25519 private key (PEM PKCS8) is required when NODE_ENV=production']);
  }
}

function resolveJwtKey(env: EnvironmentVariables): JwtKeyConfig {
  if (env.JWT_SECRET && env.JWT_PUBLIC_KEY) {
    throw new ConfigValidationError(['JWT_SECRET and JWT_PUBLIC_KEY are both set: configure exactly one']);
  }
  if (env.JWT_SECRET) return { kind: 'secret', secret: env.JWT_SECRET };
  if (env.JWT_PUBLIC_KEY) {
    const pem = env.JWT_PUBLIC_KEY.replace(/\\n/g, '\n');
    let key;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new ConfigValidationError(['JWT_PUBLIC_KEY: not a PEM public key']);
    }
    const keyType = key.asymmetricKeyType;
    if (keyType === 'rsa') return { kind: 'public-key', publicKeyPem: pem, algorithm: 'RS256' };
    if (keyType === 'ec') {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve !== 'prime256v1') throw new ConfigValidationError([`JWT_PUBLIC_KEY: EC key on curve ${curve}; ES256 needs P-256 (prime256v1)`]);
      return { kind: 'public-key', publicKeyPem: pem, algorithm: 'ES256' };
    }
    throw new ConfigValidationError([`JWT_PUBLIC_KEY: unsupported key type ${keyType}; use an RSA (RS256) or EC P-256 (ES256) key`]);
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigValidationError(['JWT_SECRET or JWT_PUBLIC_KEY: one is required when NODE_ENV=production']);
  }
  return { kind: 'dev-generated' };
}

/** Connection strings may carry credentials; never echo them back in an error. */
function redact(name: string, value: unknown): unknown {
  return /CONNECTION_STRING|URI|SECRET|KEY|PASSWORD/.test(name) ? '<redacted>' : value;
}
