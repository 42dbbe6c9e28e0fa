import * as path from 'node:path';
import { ConfigValidationError, EventStoreKind, loadAppConfig, ReadStoreKind } from './app-config';

describe(loadAppConfig.name, () => {
  it('defaults to the embedded stores under ./data on port 3000', () => {
    const config = loadAppConfig({});
    expect(config.eventStore).toEqual({ kind: EventStoreKind.Sqlite, file: path.resolve('data/events.db'), mmapMiB: 2048 });
    expect(config.readStore).toEqual({ kind: ReadStoreKind.Sqlite, file: path.resolve('data/read.db'), cacheMiB: 32, mmapMiB: 2048 });
    expect(config.http).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(config.logLevel).toBe('info');
  });

  it('reads the distributed mode', () => {
    const config = loadAppConfig({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
      READ_STORE: 'mongodb',
      MONGODB_URI: 'mongodb://localhost:27017/audit',
      PORT: '8080',
      LOG_LEVEL: 'debug',
    });
    expect(config.eventStore).toEqual({ kind: EventStoreKind.EventStoreDb, connectionString: 'esdb://localhost:2113?tls=false', maxAppendBytes: 1024 * 1024 });
    expect(config.readStore).toEqual({ kind: ReadStoreKind.MongoDb, uri: 'mongodb://localhost:27017/audit', writeConcern: 'majority' });
    expect(config.http.port).toBe(8080);
  });

  it('reads the distributed stores\' limits and write concern', () => {
    const config = loadAppConfig({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
      EVENTSTORE_MAX_APPEND_BYTES: '4194304',
      READ_STORE: 'mongodb',
      MONGODB_URI: 'mongodb://localhost:27017/audit',
      MONGODB_WRITE_CONCERN: '2',
    });
    expect(config.eventStore).toMatchObject({ maxAppendBytes: 4194304 });
    expect(config.readStore).toMatchObject({ writeConcern: 2 });
  });

  it.each([
    [{ EVENT_STORE: 'postgres' }, 'EVENT_STORE'],
    [{ READ_STORE: 'redis' }, 'READ_STORE'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ READ_STORE: 'mongodb', MONGODB_URI: '' }, 'MONGODB_URI'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ EVENTSTORE_MAX_APPEND_BYTES: '1000' }, 'EVENTSTORE_MAX_APPEND_BYTES'],
    [{ MONGODB_WRITE_CONCERN: 'all' }, 'MONGODB_WRITE_CONCERN'],
    [{ MONGODB_WRITE_CONCERN: '0' }, 'MONGODB_WRITE_CONCERN'],
  ])('refuses %j naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadAppConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems.some((p) => p.startsWith(`${variable} `))).toBe(true);
  });

  it('never echoes a connection string back in an error', () => {
    expect(() => loadAppConfig({ READ_STORE: 'mongodb', MONGODB_URI: 'mongodb://user:secret@host/db', PORT: 'x' })).toThrow(/PORT/);
    expect(() => loadAppConfig({ EVENT_STORE: 'nope', EVENTSTORE_CONNECTION_STRING: 'esdb://admin:changeit@h' })).not.toThrow(/changeit/);
  });
});
