import { plainToInstance, Transform } from 'class-transformer';
import { IsEnum, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength, ValidateIf, validateSync } from 'class-validator';
import * as path from 'node:path';

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
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  eventStore: { kind: EventStoreKind.Sqlite; file: string } | { kind: EventStoreKind.EventStoreDb; connectionString: string };
  readStore: { kind: ReadStoreKind.Sqlite; file: string } | { kind: ReadStoreKind.MongoDb; uri: string };
  dataDir: string;
  http: { host: string; port: number };
  logLevel: LogLevel;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Reads and validates configuration from an environment map. Throws naming every bad variable. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.fromEntries(
    Object.keys(new EnvironmentVariables()).concat(['EVENTSTORE_CONNECTION_STRING', 'MONGODB_URI'])
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

  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    nodeEnv: parsed.NODE_ENV,
    eventStore:
      parsed.EVENT_STORE === EventStoreKind.EventStoreDb
        ? { kind: EventStoreKind.EventStoreDb, connectionString: parsed.EVENTSTORE_CONNECTION_STRING! }
        : { kind: EventStoreKind.Sqlite, file: path.join(dataDir, 'events.db') },
    readStore:
      parsed.READ_STORE === ReadStoreKind.MongoDb
        ? { kind: ReadStoreKind.MongoDb, uri: parsed.MONGODB_URI! }
        : { kind: ReadStoreKind.Sqlite, file: path.join(dataDir, 'read.db') },
    dataDir,
    http: { host: parsed.HOST, port: parsed.PORT },
    logLevel: parsed.LOG_LEVEL,
  };
}

/** Connection strings may carry credentials; never echo them back in an error. */
function redact(name: string, value: unknown): unknown {
  return /CONNECTION_STRING|URI|SECRET|KEY|PASSWORD/.test(name) ? '<redacted>' : value;
}
