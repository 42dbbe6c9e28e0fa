import { ConfigValidationError, loadAppConfig, READ_SLICE_MS } from '../config/app-config';

describe('read limits configuration', () => {
  it('defaults: 4 exports+verifies, 8 lists, 16 live tails per tenant (4 per user); 10,000 index entries per list request', () => {
    expect(loadAppConfig({}).reads).toEqual({ concurrencyPerTenant: { bulk: 4, list: 8, stream: 16 }, streamsPerUser: 4, listScanMaxRows: 10_000, sliceMs: READ_SLICE_MS });
  });

  it('reads the limits from the environment', () => {
    const config = loadAppConfig({ READ_CONCURRENCY_PER_TENANT: '2', LIST_CONCURRENCY_PER_TENANT: '3', STREAM_CONCURRENCY_PER_TENANT: '5', STREAM_CONCURRENCY_PER_USER: '2', LIST_SCAN_MAX_ROWS: '500', READ_SLICE_MS: '2' });
    expect(config.reads).toEqual({ concurrencyPerTenant: { bulk: 2, list: 3, stream: 5 }, streamsPerUser: 2, listScanMaxRows: 500, sliceMs: 2 });
  });

  it.each([
    [{ READ_CONCURRENCY_PER_TENANT: '0' }, 'READ_CONCURRENCY_PER_TENANT'],
    [{ LIST_CONCURRENCY_PER_TENANT: 'many' }, 'LIST_CONCURRENCY_PER_TENANT'],
    [{ STREAM_CONCURRENCY_PER_TENANT: '1.5' }, 'STREAM_CONCURRENCY_PER_TENANT'],
    [{ STREAM_CONCURRENCY_PER_USER: '0' }, 'STREAM_CONCURRENCY_PER_USER'],
    [{ STREAM_HEARTBEAT_MS: '10' }, 'STREAM_HEARTBEAT_MS'],
    [{ STREAM_IDLE_TIMEOUT_MS: 'never' }, 'STREAM_IDLE_TIMEOUT_MS'],
    [{ STREAM_MAX_BUFFERED_BYTES: '100' }, 'STREAM_MAX_BUFFERED_BYTES'],
    [{ LIST_SCAN_MAX_ROWS: '10' }, 'LIST_SCAN_MAX_ROWS'],
    [{ READ_SLICE_MS: '0' }, 'READ_SLICE_MS'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadAppConfig(env)).toThrow(ConfigValidationError);
    expect(() => loadAppConfig(env)).toThrow(new RegExp(variable));
  });
});
