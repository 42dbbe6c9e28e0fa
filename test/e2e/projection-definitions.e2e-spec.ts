import { DiscoveryService } from '@nestjs/core';
import { Projection } from '../../src/projections/projection';
import { ReadModelProjection } from '../../src/projections/read-model-projection.decorator';
import { definitionHash } from '../../src/read-store/collection-definition';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The read-model definition (collections, fields, indexes) each projection version stands for. A store
 * that has a projection at version N with another definition refuses to start (DefinitionChangedError):
 * changing a definition without bumping its version breaks every existing deployment on upgrade, which
 * tests on fresh data never see. Bump the version, then record its new hash here.
 */
const RECORDED: Record<string, { version: number; hash: string }> = {
  audit_log: { version: 3, hash: 'a182de5d710b62c107d3575f9a8a7da28af599426f2caa7308e44d927f2c45a0' },
  tenant_roles: { version: 1, hash: '666301904c1e0aac109049d5393ccaccb7619d5af30426f20dafd1d1eb7ea767' },
  cross_tenant_grants: { version: 1, hash: '1171032ed67b880e241cb6660766ade8925eae71110d5214dd3e04bd06c92ce6' },
  monitoring_rules: { version: 1, hash: '6866b0eaf5046ad4d326fbcbffb246c4fda29b68694c9ab9913729a8fdc03381' },
  monitoring: { version: 4, hash: 'facf0aebe937faed011288162924399e81f1459d92d02c64e698f3bd69638155' },
  notifications: { version: 2, hash: '8245c0e5b196e6286be39307c828a795ed9354d52267a3fbf61da9e34ea16bf9' },
  alert_recipients: { version: 1, hash: '7c7496893c17bc3c7f043cbb03e474b2671878383110dc722b76e404f9bdf3bf' },
  tenant_settings: { version: 1, hash: 'ce1cadc379807130063f56897a140537a5a217912900d19c55a35af8a3f998cc' },
  reports: { version: 1, hash: '0ff690141d883632d1ebb8a87bb586cb8b9ca8ce888d9cfdef5dcd7d3dedab0c' },
  report_schedules: { version: 1, hash: 'c9027c6496dc1e2f31508a0d439397ab1f9010fc40dbade046ef23d6e4c1af83' },
  webhooks: { version: 1, hash: '01342c5c06ce16fcc35dd59406bd015d839ebd639007795456fb4a9365dea4c8' },
};

describe('projection definitions', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(async () => t.close());

  it('every projection has the read-model definition recorded for its version (a changed definition needs a new version)', () => {
    const projections = t.app
      .get(DiscoveryService)
      .getProviders({ metadataKey: ReadModelProjection.KEY })
      .map((wrapper) => wrapper.instance as Projection);
    const current = Object.fromEntries(projections.map((p) => [p.definition.name, { version: p.definition.version, hash: definitionHash(p.definition) }]));
    expect(current).toEqual(RECORDED);
  });
});
