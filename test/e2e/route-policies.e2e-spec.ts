import request from 'supertest';
import { PUBLIC_ROUTE, REQUIRED_PERMISSIONS } from '../../src/auth/access.decorators';
import { isPermission } from '../../src/auth/permissions';
import { SELF_AUDIT, SELF_AUDIT_EXEMPT, SelfAuditSpec } from '../../src/self-audit/self-audit.decorators';
import { routesOf } from '../support/route-inventory';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Every route the application serves must say who may call it and how it is audited. A new route
 * without these declarations fails here (and is refused at runtime: deny by default).
 */
describe('Route policies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('finds the routes (the inventory itself works)', () => {
    const routes = routesOf(t.app).map((r) => `${r.method} ${r.path}`);
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /health',
        'POST /v1/audit-events',
        'POST /v1/audit-events/batch',
        'GET /v1/audit-events',
        'GET /v1/audit-events/:id',
        'GET /v1/integrity/verify',
        'POST /v1/roles',
        'GET /v1/roles',
        'GET /v1/roles/:name',
        'PUT /v1/roles/:name',
        'DELETE /v1/roles/:name',
        'POST /v1/cross-tenant-grants',
        'GET /v1/cross-tenant-grants',
        'DELETE /v1/cross-tenant-grants/:id',
        'GET /v1/monitoring-rules',
        'GET /v1/monitoring-rules/:id',
        'POST /v1/monitoring-rules',
        'POST /v1/monitoring-rules/backtest',
        'PUT /v1/monitoring-rules/:id',
        'POST /v1/monitoring-rules/:id/enable',
        'POST /v1/monitoring-rules/:id/disable',
        'DELETE /v1/monitoring-rules/:id',
        'GET /v1/alerts',
        'GET /v1/alerts/:id',
        'POST /v1/alerts/:id/acknowledge',
        'POST /v1/alerts/:id/resolve',
        'POST /v1/alerts/:id/dismiss',
        'GET /v1/tenant-settings',
        'PUT /v1/tenant-settings',
        'GET /v1/alert-recipients',
        'PUT /v1/alert-recipients',
        'GET /v1/notifications',
        'GET /v1/notifications/stream',
        'POST /v1/notifications/:id/read',
        'POST /v1/notifications/read-all',
        'GET /v1/webhooks',
        'POST /v1/webhooks',
        'PUT /v1/webhooks/:id',
        'DELETE /v1/webhooks/:id',
        'POST /v1/webhooks/:id/rotate-secret',
        'GET /v1/webhooks/:id/deliveries',
        'POST /v1/webhooks/:id/deliveries/:deliveryId/retry',
      ]),
    );
  });

  it('every route is described in the OpenAPI document (/docs-json)', async () => {
    const paths = (await request(t.app.getHttpServer()).get('/docs-json').expect(200)).body.paths as Record<string, Record<string, unknown>>;
    const undocumented = routesOf(t.app)
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, '{$1}') }))
      .filter((r) => !paths[r.path]?.[r.method])
      .map((r) => `${r.method} ${r.path}`);
    expect(undocumented).toEqual([]);
  });

  it('every mutation of security configuration (roles, grants, monitoring rules, alert triage, alert recipients, tenant settings, webhooks) is self-audited as a mutation', () => {
    const configMutations = routesOf(t.app).filter((r) => r.method !== 'GET' && /^\/v1\/(roles|cross-tenant-grants|monitoring-rules|alerts|alert-recipients|tenant-settings|webhooks)/.test(r.path) && !r.path.endsWith('/backtest'));
    expect(configMutations.length).toBeGreaterThan(0);
    expect(configMutations.filter((r) => r.get<SelfAuditSpec>(SELF_AUDIT)?.kind !== 'mutation').map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('every route is public or declares known permissions', () => {
    const offenders = routesOf(t.app).filter((r) => {
      if (r.get<boolean>(PUBLIC_ROUTE)) return false;
      const required = r.get<string[]>(REQUIRED_PERMISSIONS);
      return !required?.length || !required.every(isPermission);
    });
    expect(offenders.map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)).toEqual([]);
  });

  it('every non-public route is self-audited, or exempt with a stated reason', () => {
    const offenders = routesOf(t.app).filter((r) => {
      if (r.get<boolean>(PUBLIC_ROUTE)) return false;
      const spec = r.get<SelfAuditSpec>(SELF_AUDIT);
      const exempt = r.get<string>(SELF_AUDIT_EXEMPT);
      return !(spec?.action && ['read', 'stream', 'mutation'].includes(spec.kind)) && !(exempt && exempt.length > 10);
    });
    expect(offenders.map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)).toEqual([]);
  });

  it('every reader of audit data is audited (no exemption on GET routes under /v1)', () => {
    const exemptReads = routesOf(t.app).filter((r) => r.method === 'GET' && r.path.startsWith('/v1/') && r.get<string>(SELF_AUDIT_EXEMPT));
    expect(exemptReads.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});
