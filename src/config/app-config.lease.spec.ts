import * as path from 'node:path';
import { createReadStore } from '../read-store/read-store.module';
import { makeTempDir } from '../../test/support/temp-dir';
import { ConfigValidationError, loadAppConfig } from './app-config';

const SECRET = 'abcdefghijklmnopqrstuvwxyz012345';

describe('PROJECTION_LEASE_MS: how long a projection lease lives (ADR 018)', () => {
  it('defaults to 10 s and reads the variable', () => {
    expect(loadAppConfig({ JWT_SECRET: SECRET }).projections.leaseMs).toBe(10_000);
    expect(loadAppConfig({ JWT_SECRET: SECRET, PROJECTION_LEASE_MS: '2500' }).projections.leaseMs).toBe(2500);
  });

  it.each(['999', '600001', '1.5', 'soon'])('refuses PROJECTION_LEASE_MS=%s, naming the variable', (value) => {
    expect(() => loadAppConfig({ JWT_SECRET: SECRET, PROJECTION_LEASE_MS: value })).toThrow(ConfigValidationError);
    expect(() => loadAppConfig({ JWT_SECRET: SECRET, PROJECTION_LEASE_MS: value })).toThrow(/PROJECTION_LEASE_MS/);
  });

  it('the configured read store takes leases of that length', async () => {
    const temp = makeTempDir();
    const config = loadAppConfig({ JWT_SECRET: SECRET, DATA_DIR: temp.dir, PROJECTION_LEASE_MS: '2500' });
    const store = await createReadStore({ ...config.readStore, file: path.join(temp.dir, 'read.db') } as typeof config.readStore, { leaseMs: config.projections.leaseMs });
    try {
      await store.prepareProjection({ name: 'lease_probe', version: 1, collections: [] });
      const before = Date.now();
      const lease = await store.acquireLease('lease_probe');
      const remaining = lease.until.getTime() - before;
      expect(remaining).toBeGreaterThanOrEqual(2500 - 50);
      expect(remaining).toBeLessThanOrEqual(2500 + 1000);
    } finally {
      await store.close();
      temp.cleanup();
    }
  });
});
