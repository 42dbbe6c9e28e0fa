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

const RETRY_DELAY = '(0|[1-9][0-9]{0,8}(ms|s|m|h|d))';
const RETRY_SCHEDULE_PATTERN = new RegExp(`^${RETRY_DELAY}(,${RETRY_DELAY}){0,29}$`);

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

  /** Concurrent live tails one user (token `sub`) may hold in a tenant (ADR 021). */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  STREAM_CONCURRENCY_PER_USER: number = 4;

  /** A comment line on every live tail this often, so that proxies keep it open and dead clients are noticed. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(300_000)
  STREAM_HEARTBEAT_MS: number = 15_000;

  /** A live tail that delivered no event for this long is ended (the client reconnects with Last-Event-ID). */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  STREAM_IDLE_TIMEOUT_MS: number = 1_800_000;

  /** Unread bytes a live tail may have before it is ended, so a slow client never holds others back. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(65_536)
  @Max(1_073_741_824)
  STREAM_MAX_BUFFERED_BYTES: number = 4 * 1024 * 1024;

  /**
   * Embedded mode: MiB of read.db and of events.db that bulk reads (exports) read through a memory map,
   * on connections of their own (ADR 032); 0 turns the map off. 2048 is the most this SQLite build maps.
   */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2048)
  SQLITE_MMAP_MIB: number = 2048;

  /**
   * Audit events of a tenant recorded but not yet in its read model beyond which ingestion answers 429
   * with Retry-After (ADR 030): bounds read-model lag and the writer's memory under overload.
   */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(10_000_000)
  INGEST_MAX_UNPROJECTED_EVENTS: number = 50_000;

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

  /** How often the retention job looks for events older than each tenant's policy (seconds; daily by default). */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 60 * 60)
  RETENTION_INTERVAL_SECONDS: number = 24 * 60 * 60;

  /** Events expired per step (one id batch recorded, one bounded delete). */
  @Transform(({ value }) => (value === '' || value === undefined ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  RETENTION_BATCH_EVENTS: number = 1_000;
  /** Chromium pages rendering report PDFs at once (one browser, reused); more renders wait. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16)
  REPORT_PDF_MAX_PAGES: number = 2;

  /** Longest one PDF render may take (seconds). */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(3600)
  REPORT_PDF_TIMEOUT_SECONDS: number = 180;

  /** SMTP server for e-mailed reports: smtp://user:pass@host:587 or smtps://host:465. Unset: e-mail delivery is refused. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://...' })
  SMTP_URL?: string;

  /** Sender of e-mailed reports. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(3)
  SMTP_FROM: string = 'Compliance Audit Trail <reports@localhost>';

  /** How often report schedules are checked for due periods (seconds). */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  REPORT_SCHEDULE_TICK_SECONDS: number = 30;

  /** 32-byte key (base64 or hex, in a file) encrypting webhook signing secrets at rest; required in production. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  WEBHOOK_SECRETS_KEY_FILE?: string;

  /** Delays before each webhook delivery attempt, e.g. `0,5s,5m,30m,2h` (units ms, s, m, h, d). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(RETRY_SCHEDULE_PATTERN, { message: 'WEBHOOK_RETRY_SCHEDULE must be a comma-separated list of delays such as 0,5s,5m,2h (units ms, s, m, h, d; at most 30, each at most 7d)' })
  WEBHOOK_RETRY_SCHEDULE: string = DEFAULT_WEBHOOK_RETRY_SCHEDULE;

  /** A webhook attempt (connect, send, response) that takes longer fails with a timeout. */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(120_000)
  WEBHOOK_TIMEOUT_MS: number = 15_000;

  /** true: webhook URLs may target loopback, private, link-local and metadata addresses in production. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false' })
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' | 'false' = 'false';

  /** Deliveries in flight at once per endpoint (a slow endpoint holds at most this many). */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  WEBHOOK_ENDPOINT_CONCURRENCY: number = 4;

  /** How often idle audit.events feeds and the alert feed look for new entries (ms). */
  @Transform(toOptionalNumber)
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(60_000)
  WEBHOOK_POLL_MS: number = 250;
}

/** ARCHITECTURE §9: 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,14h,20h,24h';

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
  eventStore: { kind: EventStoreKind.Sqlite; file: string; mmapMiB: number } | { kind: EventStoreKind.EventStoreDb; connectionString: string; maxAppendBytes: number };
  readStore:
    | { kind: ReadStoreKind.Sqlite; file: string; cacheMiB: number; mmapMiB: number }
    | { kind: ReadStoreKind.MongoDb; uri: string; writeConcern: 'majority' | number };
  dataDir: string;
  http: { host: string; port: number };
  logLevel: LogLevel;
  jwt: { key: JwtKeyConfig; issuer?: string; audience?: string; maxLifetimeSeconds: number };
  /** Slow-body defence: a request not fully received within this time is answered 408 and closed. */
  httpLimits: { requestTimeoutMs: number };
  /** Aggregation window of repeated access denials (self-audit). */
  accessDenials: { windowSeconds: number };
  /** Bounded admission of ingested events (ADR 030). */
  ingestion: { maxUnprojectedEvents: number };
  projections: { mode: 'worker' | 'inline'; leaseMs: number };
  reads: ReadLimitsConfig;
  signing: SigningKeyConfig;
  checkpoints: { intervalSeconds: number; everyEvents: number };
  /** Live tails (ADR 021). */
  streams: { heartbeatMs: number; idleTimeoutMs: number; maxBufferedBytes: number };
  /** Retention expiry (ADR 025). */
  retention: { intervalSeconds: number; batchEvents: number };
  /** Report PDFs (ADR 023). */
  reportPdf: { maxPages: number; timeoutMs: number };
  /** E-mail delivery of reports; `url` absent: refused. */
  smtp: { url?: string; from: string };
  reportSchedules: { tickMs: number };
  webhooks: WebhooksConfig;
}

export interface WebhooksConfig {
  /** Key file for the secrets' encryption at rest; dev-generated into DATA_DIR; missing: production without one (refused). */
  secretsKey: { kind: 'file'; file: string } | { kind: 'dev-generated' } | { kind: 'missing' };
  /** Delay (ms) before attempt 1, 2, ...; its length is the number of attempts. */
  retryScheduleMs: number[];
  timeoutMs: number;
  /** Whether the SSRF checks apply (production without WEBHOOK_ALLOW_PRIVATE_NETWORKS=true). */
  blockPrivateNetworks: boolean;
  /** Whether URLs must be https (production). */
  httpsOnly: boolean;
  endpointConcurrency: number;
  pollMs: number;
}

/** Bounds on long reads (ADR 012). */
export interface ReadLimitsConfig {
  concurrencyPerTenant: { bulk: number; list: number; stream: number };
  /** Live tails one user may hold at once in a tenant. */
  streamsPerUser: number;
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
/**
 * Bulk reads of both embedded stores (an export's walk of the index and the log, newest first) go
 * through a memory map by default (ADR 032, `SQLITE_MMAP_MIB`): a page fault makes the kernel read the pages around it, and
 * plain reads are read ahead only forwards. 2 GiB is this SQLite build's maximum
 * (SQLITE_MAX_MMAP_SIZE); pages beyond it are read normally.
 */
export const QUERY_MMAP_MIB = 2048;
/** The projection worker serves no export: no map. */
export const PROJECTION_MMAP_MIB = 0;

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
      .concat(['EVENTSTORE_CONNECTION_STRING', 'MONGODB_URI', 'JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_ISSUER', 'JWT_AUDIENCE', 'SIGNING_KEY_FILE', 'SIGNING_PREVIOUS_PUBLIC_KEYS_FILE', 'SMTP_URL', 'WEBHOOK_SECRETS_KEY_FILE'])
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
        : { kind: EventStoreKind.Sqlite, file: path.join(dataDir, 'events.db'), mmapMiB: parsed.SQLITE_MMAP_MIB },
    readStore:
      parsed.READ_STORE === ReadStoreKind.MongoDb
        ? {
            kind: ReadStoreKind.MongoDb,
            uri: parsed.MONGODB_URI!,
            writeConcern: parsed.MONGODB_WRITE_CONCERN === 'majority' ? 'majority' : Number(parsed.MONGODB_WRITE_CONCERN),
          }
        : { kind: ReadStoreKind.Sqlite, file: path.join(dataDir, 'read.db'), cacheMiB: QUERY_CACHE_MIB, mmapMiB: parsed.SQLITE_MMAP_MIB },
    dataDir,
    http: { host: parsed.HOST, port: parsed.PORT },
    logLevel: parsed.LOG_LEVEL,
    jwt: { key: jwtKey, issuer: parsed.JWT_ISSUER, audience: parsed.JWT_AUDIENCE, maxLifetimeSeconds: parsed.JWT_MAX_LIFETIME_SECONDS },
    httpLimits: { requestTimeoutMs: parsed.HTTP_REQUEST_TIMEOUT_MS },
    accessDenials: { windowSeconds: parsed.ACCESS_DENIAL_WINDOW_SECONDS },
    ingestion: { maxUnprojectedEvents: parsed.INGEST_MAX_UNPROJECTED_EVENTS },
    projections: { mode: parsed.PROJECTION_MODE, leaseMs: parsed.PROJECTION_LEASE_MS },
    reads: {
      concurrencyPerTenant: { bulk: parsed.READ_CONCURRENCY_PER_TENANT, list: parsed.LIST_CONCURRENCY_PER_TENANT, stream: parsed.STREAM_CONCURRENCY_PER_TENANT },
      streamsPerUser: parsed.STREAM_CONCURRENCY_PER_USER,
      listScanMaxRows: parsed.LIST_SCAN_MAX_ROWS,
      sliceMs: parsed.READ_SLICE_MS,
    },
    signing,
    checkpoints: { intervalSeconds: parsed.CHECKPOINT_INTERVAL_SECONDS, everyEvents: parsed.CHECKPOINT_EVERY_EVENTS },
    streams: { heartbeatMs: parsed.STREAM_HEARTBEAT_MS, idleTimeoutMs: parsed.STREAM_IDLE_TIMEOUT_MS, maxBufferedBytes: parsed.STREAM_MAX_BUFFERED_BYTES },
    retention: { intervalSeconds: parsed.RETENTION_INTERVAL_SECONDS, batchEvents: parsed.RETENTION_BATCH_EVENTS },
    reportPdf: { maxPages: parsed.REPORT_PDF_MAX_PAGES, timeoutMs: parsed.REPORT_PDF_TIMEOUT_SECONDS * 1000 },
    smtp: { url: parsed.SMTP_URL, from: parsed.SMTP_FROM },
    reportSchedules: { tickMs: parsed.REPORT_SCHEDULE_TICK_SECONDS * 1000 },
    webhooks: {
      secretsKey: parsed.WEBHOOK_SECRETS_KEY_FILE
        ? { kind: 'file', file: path.resolve(parsed.WEBHOOK_SECRETS_KEY_FILE) }
        : parsed.NODE_ENV === 'production'
          ? { kind: 'missing' }
          : { kind: 'dev-generated' },
      retryScheduleMs: parseRetrySchedule(parsed.WEBHOOK_RETRY_SCHEDULE),
      timeoutMs: parsed.WEBHOOK_TIMEOUT_MS,
      blockPrivateNetworks: parsed.NODE_ENV === 'production' && parsed.WEBHOOK_ALLOW_PRIVATE_NETWORKS !== 'true',
      httpsOnly: parsed.NODE_ENV === 'production',
      endpointConcurrency: parsed.WEBHOOK_ENDPOINT_CONCURRENCY,
      pollMs: parsed.WEBHOOK_POLL_MS,
    },
  };
}

const DELAY_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_RETRY_DELAY_MS = 7 * 86_400_000;

/** `0,5s,5m` → [0, 5000, 300000]. Throws a ConfigValidationError for a delay beyond 7 days. */
export function parseRetrySchedule(schedule: string): number[] {
  const delays = schedule.split(',').map((part) => {
    const match = /^(\d+)(ms|s|m|h|d)?$/.exec(part)!;
    return Number(match[1]) * DELAY_UNIT_MS[match[2] ?? 's'];
  });
  if (delays.some((d) => d > MAX_RETRY_DELAY_MS)) throw new ConfigValidationError([`WEBHOOK_RETRY_SCHEDULE (got ${JSON.stringify(schedule)}): each delay at most 7d`]);
  return delays;
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
  if (config.webhooks.secretsKey.kind === 'missing') {
    throw new ConfigValidationError(['WEBHOOK_SECRETS_KEY_FILE: a 32-byte key (base64 or hex) encrypting webhook secrets is required when NODE_ENV=production']);
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
  return /CONNECTION_STRING|URI|URL|SECRET|KEY|PASSWORD/.test(name) ? '<redacted>' : value;
}
