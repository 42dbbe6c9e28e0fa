import request from 'supertest';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { PUBLIC_ROUTE, REQUIRED_PERMISSIONS } from '../../src/auth/access.decorators';
import { Permission } from '../../src/auth/permissions';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { MONITORING_PROJECTION } from '../../src/monitoring/engine/monitoring-engine.read-model';
import { ProjectionRegistry } from '../../src/projections/projection-registry.service';
import { notificationIdOf } from '../../src/notifications/notification';
import { notificationStreamOf } from '../../src/notifications/notification-streams';
import { NOTIFICATIONS, Notifications } from '../../src/notifications/notifications.port';
import { NOTIFICATIONS_PROJECTION } from '../../src/notifications/notifications.read-model';
import { loadRoleMatrix } from '../../src/auth/role-matrix';
import { REPORT_REQUESTS } from '../../src/reports/report-requests.port';
import { ReportGenerator } from '../../src/reports/generation/report-generator';
import { REPORTS_PROJECTION } from '../../src/reports/reports.read-model';
import { ReportsProjection } from '../../src/reports/reports.projection';
import { auditApi, textBody } from '../support/audit-api';
import { auditEvent } from '../support/audit-event.factory';
import { RouteInfo, routesOf } from '../support/route-inventory';
import { baseUrlOf, openSse } from '../support/sse-client';
import { createTestApp, TestApp } from '../support/test-app';
import { bearer } from '../support/tokens';
import { projectionSettled } from '../support/projection-settled';

/**
 * The authorization matrix (issue 4, item 7): every route the application serves × every built-in
 * role × { own tenant, other tenant } → expected status. Generated from the application's route list
 * (routesOf) and from config/roles.json; the permission a route needs is read from its metadata.
 *
 * - Own tenant: the caller asks for an object of its own tenant. A role whose permissions include
 *   one of the route's required permissions gets the status in the table; any other role gets 403.
 * - Other tenant: the caller belongs to a tenant of its own (fresh, empty) and asks for objects that
 *   belong to other tenants (globex, acme): detail and mutation routes answer 404, lists are empty,
 *   and no answer carries another tenant's data.
 *
 * A route served by the app without an entry in SAMPLES fails this test ("new route without an
 * entry"); so does an entry for a route the app does not serve.
 */

const BUILT_IN_ROLES = ['super_admin', 'compliance_officer', 'auditor', 'standard_user', 'audit_writer', 'platform_ingestor', 'platform_admin', 'platform_operator'] as const;
type Role = (typeof BUILT_IN_ROLES)[number];

/** The caller in every case; its own records (actor.id) are what a standard user may see. */
const CALLER = 'matrix-user';
const OWN = 'acme';
const OTHER = 'globex';
/** A resource id that events of both acme and globex carry: lists filtered on it must show only the caller's tenant. */
const SHARED_RESOURCE = 'INV-SHARED';

interface Fixtures {
  /** An audit event of acme by CALLER, and one of globex by a user of the same id. */
  ownEventId: string;
  otherEventId: string;
  /** A custom role of acme, and one of globex. */
  ownRole: string;
  otherRole: string;
  /** An active grant of globex. */
  otherGrantId: string;
  /** A new custom role / grant of acme, for routes that change or delete one. */
  freshOwnRole(): Promise<string>;
  freshOwnGrant(): Promise<string>;
  /** A new, unused role name. */
  newName(): string;
  /** A custom monitoring rule of acme, and one of globex. */
  ownRuleId: string;
  otherRuleId: string;
  /** An open alert of acme, and one of globex. */
  ownAlertId: string;
  otherAlertId: string;
  /** A new custom rule / open alert of acme, for routes that change one. */
  freshOwnRule(): Promise<string>;
  freshOwnAlert(): Promise<string>;
  /** A new, unused rule id. */
  newRuleId(): string;
  /** A notification of acme addressed to CALLER by name, and one of globex addressed to a user of the same id. */
  ownNotificationId: string;
  otherNotificationId: string;
  /**
   * A new notification of acme for CALLER, applied by the read model; remembered as latestOwnNotificationId.
   * Listing checks use it: the first one may be a page away by then, behind alert notifications.
   */
  freshOwnNotification(): Promise<string>;
  latestOwnNotificationId: string;
  /** Webhook endpoints and deliveries of acme and globex (see givenWebhookFixtures). */
  webhooks: WebhookFixtures;
  /** Report schedules of acme and globex. */
  schedules: ScheduleFixtures;
}

interface ScheduleFixtures {
  ownId: string;
  otherId: string;
  /** A new schedule of acme, for routes that change or delete one. */
  freshOwn(): Promise<string>;
}

const reportSchedule = { templateId: 'sox-privileged-access', frequency: 'daily', timezone: 'Europe/Berlin', time: '06:00', format: 'csv', delivery: { notify: true } };
/** POST /v1/report-schedules/{id}/run: 202, or 503 while report generation (REPORT_REQUESTS) is not part of the app. */
let runNowStatus = 202;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

interface Case {
  params?: (f: Fixtures) => Promise<Record<string, string>> | Record<string, string>;
  query?: string;
  body?: (f: Fixtures) => unknown;
  /** Extra request headers, given the caller's tenant (e.g. X-Tenant-Id). */
  headers?: (callerTenant: string) => Record<string, string>;
  /** Status when the role holds one of the route's permissions (otherwise 403). A function when it depends on more. */
  expect: number | ((permissions: ReadonlySet<Permission>) => number);
  /** What a 2xx answer must hold; returns a description of the violation, or nothing. */
  check?: (answer: Answer, f: Fixtures, tenant: string) => string | undefined;
}

interface Row {
  own: Case;
  other: Case;
  /** How the answer is read: JSON (default), a download read to the end, or SSE (status + headers, then abort). */
  read?: 'download' | 'sse';
}

const event = (overrides: Record<string, unknown> = {}) =>
  auditEvent({ actor: { id: CALLER, type: 'user' }, resource: { type: 'invoice', id: 'MATRIX-INGEST' }, ...overrides });
const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

// ---- checks on what an answer contains --------------------------------------------------------
type Json = Record<string, unknown>;
const itemsOf = (a: Answer) => ((a.body as Json).items ?? []) as Json[];
const ndjsonOf = (a: Answer) => String(a.body).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
const onlyTenant = (events: Json[], tenant: string) => events.find((e) => e.tenantId !== tenant) && `an event of tenant ${events.find((e) => e.tenantId !== tenant)!.tenantId}`;
const nonEmptyOf = (events: Json[], tenant: string) => (events.length === 0 ? 'no events of its own tenant' : onlyTenant(events, tenant));
const empty = (what: string, list: unknown[]) => (list.length ? `${what} not empty: ${JSON.stringify(list).slice(0, 200)}` : undefined);
const tenantOfReceipt = (expected: (tenant: string) => string) => (a: Answer, _f: Fixtures, tenant: string) => {
  const receipts = ((a.body as Json).results as Json[] | undefined) ?? [a.body as Json];
  return receipts.every((r) => r.tenantId === expected(tenant)) ? undefined : `recorded in ${receipts.map((r) => r.tenantId).join(',')}`;
};
const hasProvider = (app: TestApp, token: symbol) => {
  try {
    return app.app.get(token, { strict: false }) !== undefined;
  } catch {
    return false;
  }
};
const anyTenantWriter = (p: ReadonlySet<Permission>) => (p.has('audit:write:any-tenant') ? 201 : 403);

/**
 * THE TABLE: per route, a valid minimal request in the caller's own tenant and one aimed at other
 * tenants' objects, with the status expected when the role is permitted.
 */
const SAMPLES: Record<string, Row> = {
  'POST /v1/audit-events': {
    own: { body: () => event(), expect: 201, check: tenantOfReceipt((tenant) => tenant) },
    // Naming another tenant in the body: only a platform ingestor may (audit:write:any-tenant).
    other: { body: () => ({ ...event(), tenantId: OTHER }), expect: anyTenantWriter, check: tenantOfReceipt(() => OTHER) },
  },
  'POST /v1/audit-events/batch': {
    own: { body: () => ({ events: [event()] }), expect: 201, check: tenantOfReceipt((tenant) => tenant) },
    other: { body: () => ({ events: [{ ...event(), tenantId: OTHER }] }), expect: anyTenantWriter, check: tenantOfReceipt(() => OTHER) },
  },
  'GET /v1/audit-events': {
    own: { query: `resourceId=${SHARED_RESOURCE}`, expect: 200, check: (a, _f, tenant) => nonEmptyOf(itemsOf(a), tenant) },
    other: { query: `resourceId=${SHARED_RESOURCE}`, expect: 200, check: (a) => empty('items', itemsOf(a)) },
  },
  'GET /v1/audit-events/export': {
    own: { query: `resourceId=${SHARED_RESOURCE}`, expect: 200, check: (a, _f, tenant) => nonEmptyOf(ndjsonOf(a), tenant) },
    other: { query: `resourceId=${SHARED_RESOURCE}`, expect: 200, check: (a) => empty('export', ndjsonOf(a)) },
    read: 'download',
  },
  'GET /v1/audit-events/stream': {
    own: { query: `resourceId=${SHARED_RESOURCE}`, expect: 200 },
    other: { query: `resourceId=${SHARED_RESOURCE}`, expect: 200 },
    read: 'sse',
  },
  'GET /v1/audit-events/:id': {
    own: { params: (f) => ({ id: f.ownEventId }), expect: 200, check: (a, f, tenant) => ((a.body as Json).id === f.ownEventId && (a.body as Json).tenantId === tenant ? undefined : 'another event') },
    other: { params: (f) => ({ id: f.otherEventId }), expect: 404 },
  },
  'GET /v1/integrity/verify': {
    own: { expect: 200, check: (a) => ((a.body as Json).valid === true && ((a.body as Json).headSequence as number) >= 0 ? undefined : 'not a valid, non-empty chain') },
    // The caller's tenant has no chain yet: nothing of another tenant's chain is verified or shown.
    other: { expect: 200, check: (a) => ((a.body as Json).checked === 0 && (a.body as Json).headSequence === -1 ? undefined : `verified ${JSON.stringify(a.body)}`) },
  },
  'GET /v1/integrity/checkpoints': {
    own: { expect: 200, check: (a) => (Array.isArray((a.body as Json).items) ? undefined : 'no items') },
    // The caller's tenant has no checkpoints: none of another tenant's are listed.
    other: { expect: 200, check: (a) => empty('checkpoints', itemsOf(a)) },
  },
  'GET /v1/reports/signing-key': {
    own: { expect: 200, check: (a) => ((a.body as Json).algorithm === 'Ed25519' ? undefined : 'not an Ed25519 key') },
    // The public key is the same for every tenant: it carries nothing of a tenant.
    other: { expect: 200, check: (a) => ((a.body as Json).algorithm === 'Ed25519' ? undefined : 'not an Ed25519 key') },
  },
  'POST /v1/roles': {
    own: { body: (f) => ({ name: f.newName(), permissions: ['audit:read'] }), expect: 201 },
    // Role names are per tenant: globex's role of the same name neither conflicts nor changes.
    other: { body: (f) => ({ name: f.otherRole, permissions: ['reports:read'] }), expect: 201 },
  },
  'GET /v1/roles': {
    own: { expect: 200, check: (a, f) => (itemsOf(a).some((r) => r.name === f.ownRole) ? undefined : `${f.ownRole} missing`) },
    other: { expect: 200, check: (a) => empty('roles', itemsOf(a)) },
  },
  'GET /v1/roles/:name': {
    own: { params: (f) => ({ name: f.ownRole }), expect: 200, check: (a, f) => ((a.body as Json).name === f.ownRole ? undefined : 'another role') },
    other: { params: (f) => ({ name: f.otherRole }), expect: 404 },
  },
  'PUT /v1/roles/:name': {
    own: { params: async (f) => ({ name: await f.freshOwnRole() }), body: () => ({ permissions: ['audit:export'] }), expect: 200 },
    other: { params: (f) => ({ name: f.otherRole }), body: () => ({ permissions: ['roles:manage'] }), expect: 404 },
  },
  'DELETE /v1/roles/:name': {
    own: { params: async (f) => ({ name: await f.freshOwnRole() }), expect: 204 },
    other: { params: (f) => ({ name: f.otherRole }), expect: 404 },
  },
  'POST /v1/cross-tenant-grants': {
    own: { body: () => ({ grantee: 'ops-matrix', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inDays(1) }), expect: 201 },
    // A grant is always the caller's tenant's: a body naming another tenant is refused as malformed.
    other: { body: () => ({ grantee: 'ops-matrix', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inDays(1), tenantId: OTHER }), expect: 400 },
  },
  'GET /v1/cross-tenant-grants': {
    own: { expect: 200, check: (a) => (itemsOf(a).length > 0 ? undefined : 'no grants of its own tenant') },
    other: { expect: 200, check: (a) => empty('grants', itemsOf(a)) },
  },
  'DELETE /v1/cross-tenant-grants/:id': {
    own: { params: async (f) => ({ id: await f.freshOwnGrant() }), expect: 204 },
    other: { params: (f) => ({ id: f.otherGrantId }), expect: 404 },
  },
};

const customRule = (id: string) => ({ id, name: 'Matrix rule', severity: 'low', match: { actions: ['matrix.check'] }, condition: { type: 'match' } });
const onlyBuiltInRules = (a: Answer) => (itemsOf(a).every((r) => r.builtIn === true) && itemsOf(a).length === 4 ? undefined : `rules: ${itemsOf(a).map((r) => r.id).join(',')}`);

Object.assign(SAMPLES, {
  'GET /v1/monitoring-rules': {
    own: { expect: 200, check: (a: Answer, f: Fixtures) => (itemsOf(a).some((r) => r.id === f.ownRuleId) ? undefined : `${f.ownRuleId} missing`) },
    other: { expect: 200, check: onlyBuiltInRules },
  },
  'GET /v1/monitoring-rules/:id': {
    own: { params: (f: Fixtures) => ({ id: f.ownRuleId }), expect: 200, check: (a: Answer, f: Fixtures) => ((a.body as Json).id === f.ownRuleId ? undefined : 'another rule') },
    other: { params: (f: Fixtures) => ({ id: f.otherRuleId }), expect: 404 },
  },
  'POST /v1/monitoring-rules': {
    own: { body: (f: Fixtures) => customRule(f.newRuleId()), expect: 201 },
    // Rule ids are per tenant: globex's rule of the same id neither conflicts nor changes.
    other: { body: (f: Fixtures) => customRule(f.otherRuleId), expect: 201 },
  },
  'POST /v1/monitoring-rules/backtest': {
    own: { body: (f: Fixtures) => ({ ruleId: f.ownRuleId, from: inDays(-1), to: inDays(1) }), expect: 200, check: (a: Answer) => (((a.body as Json).eventsScanned as number) > 0 ? undefined : 'scanned no events of its own tenant') },
    // Another tenant's rule id is unknown here, and a draft scans only the caller's (empty) tenant.
    other: { body: (f: Fixtures) => ({ ruleId: f.otherRuleId, from: inDays(-1), to: inDays(1) }), expect: 404 },
  },
  'PUT /v1/monitoring-rules/:id': {
    own: { params: async (f: Fixtures) => ({ id: await f.freshOwnRule() }), body: () => ({ severity: 'high' }), expect: 200 },
    other: { params: (f: Fixtures) => ({ id: f.otherRuleId }), body: () => ({ severity: 'critical' }), expect: 404 },
  },
  'POST /v1/monitoring-rules/:id/enable': {
    own: { params: async (f: Fixtures) => ({ id: await f.freshOwnRule() }), expect: 200 },
    other: { params: (f: Fixtures) => ({ id: f.otherRuleId }), expect: 404 },
  },
  'POST /v1/monitoring-rules/:id/disable': {
    own: { params: async (f: Fixtures) => ({ id: await f.freshOwnRule() }), expect: 200 },
    other: { params: (f: Fixtures) => ({ id: f.otherRuleId }), expect: 404 },
  },
  'DELETE /v1/monitoring-rules/:id': {
    own: { params: async (f: Fixtures) => ({ id: await f.freshOwnRule() }), expect: 204 },
    other: { params: (f: Fixtures) => ({ id: f.otherRuleId }), expect: 404 },
  },
  'GET /v1/alerts': {
    own: { expect: 200, check: (a: Answer, f: Fixtures) => (itemsOf(a).some((r) => r.id === f.ownAlertId) ? undefined : `${f.ownAlertId} missing`) },
    other: { expect: 200, check: (a: Answer) => empty('alerts', itemsOf(a)) },
  },
  'GET /v1/alerts/:id': {
    own: { params: (f: Fixtures) => ({ id: f.ownAlertId }), expect: 200, check: (a: Answer, f: Fixtures) => ((a.body as Json).id === f.ownAlertId ? undefined : 'another alert') },
    other: { params: (f: Fixtures) => ({ id: f.otherAlertId }), expect: 404 },
  },
  'POST /v1/alerts/:id/acknowledge': {
    own: { params: async (f: Fixtures) => ({ id: await f.freshOwnAlert() }), body: () => ({ note: 'matrix' }), expect: 200 },
    other: { params: (f: Fixtures) => ({ id: f.otherAlertId }), body: () => ({}), expect: 404 },
  },
  'POST /v1/alerts/:id/resolve': {
    own: { params: async (f: Fixtures) => ({ id: await f.freshOwnAlert() }), body: () => ({}), expect: 200 },
    other: { params: (f: Fixtures) => ({ id: f.otherAlertId }), body: () => ({}), expect: 404 },
  },
  'POST /v1/alerts/:id/dismiss': {
    own: { params: async (f: Fixtures) => ({ id: await f.freshOwnAlert() }), body: () => ({}), expect: 200 },
    other: { params: (f: Fixtures) => ({ id: f.otherAlertId }), body: () => ({}), expect: 404 },
  },
  'GET /v1/retention-policy': {
    own: { expect: 200, check: (a: Answer, _f: Fixtures, tenant: string) => ((a.body as Json).tenantId === tenant ? undefined : `policy of ${(a.body as Json).tenantId}`) },
    // The caller's fresh tenant has the default policy: nothing of another tenant's is shown.
    other: { expect: 200, check: (a: Answer, _f: Fixtures, tenant: string) => ((a.body as Json).tenantId === tenant && (a.body as Json).isDefault === true ? undefined : `policy ${JSON.stringify(a.body)}`) },
  },
  'PUT /v1/retention-policy': {
    own: { headers: (tenant: string) => ({ 'X-Tenant-Id': tenant }), body: () => ({ retentionDays: 2557 }), expect: 200, check: (a: Answer, _f: Fixtures, tenant: string) => ((a.body as Json).tenantId === tenant ? undefined : `changed ${(a.body as Json).tenantId}`) },
    // Platform account administration: only a platform_operator names another tenant, and changes exactly that one (ADR 025);
    // every other role is refused (403) whatever X-Tenant-Id says.
    other: { headers: () => ({ 'X-Tenant-Id': OTHER }), body: () => ({ retentionDays: 2557 }), expect: 200, check: (a: Answer) => ((a.body as Json).tenantId === OTHER ? undefined : `changed ${(a.body as Json).tenantId}`) },
  },
} satisfies Record<string, Row>);

/** Reports (issue 9): a ready report and a custom template in acme and in globex, made in beforeAll. */
interface ReportFixtures {
  ownReportId: string;
  otherReportId: string;
  ownTemplateId: string;
  otherTemplateId: string;
  newTemplateId(): string;
}
let reportFx: ReportFixtures;
const reportTemplate = (id: string) => ({ id, name: 'Matrix template', framework: 'Matrix', description: '', sections: [{ title: 'All', match: {}, columns: ['action'] }], summary: [{ name: 'events', section: 'All', aggregate: 'count' }] });
const reportRequest = (templateId: string) => ({ templateId, from: inDays(-1), to: inDays(1), format: 'csv' });

Object.assign(SAMPLES, {
  'GET /v1/report-templates': {
    own: { expect: 200, check: (a: Answer) => (itemsOf(a).some((x) => x.id === reportFx.ownTemplateId) && itemsOf(a).some((x) => x.id === 'sox-privileged-access') ? undefined : 'own template or built-ins missing') },
    other: { expect: 200, check: (a: Answer) => (itemsOf(a).some((x) => x.id === reportFx.otherTemplateId || x.id === reportFx.ownTemplateId) ? "another tenant's template listed" : undefined) },
  },
  'GET /v1/report-templates/:id': {
    own: { params: () => ({ id: reportFx.ownTemplateId }), expect: 200, check: (a: Answer) => ((a.body as Json).id === reportFx.ownTemplateId ? undefined : 'another template') },
    other: { params: () => ({ id: reportFx.otherTemplateId }), expect: 404 },
  },
  'POST /v1/report-templates': {
    own: { body: () => reportTemplate(reportFx.newTemplateId()), expect: 201 },
    // Template ids are per tenant: globex's template of the same id neither conflicts nor changes.
    other: { body: () => reportTemplate(reportFx.otherTemplateId), expect: 201 },
  },
  'PUT /v1/report-templates/:id': {
    own: { params: () => ({ id: reportFx.ownTemplateId }), body: () => reportTemplate(reportFx.ownTemplateId), expect: 200 },
    other: { params: () => ({ id: reportFx.otherTemplateId }), body: () => reportTemplate(reportFx.otherTemplateId), expect: 404 },
  },
  'POST /v1/reports': {
    own: { body: () => reportRequest('sox-privileged-access'), expect: 202 },
    // Another tenant's custom template is unknown here.
    other: { body: () => reportRequest(reportFx.otherTemplateId), expect: 404 },
  },
  'GET /v1/reports': {
    own: { expect: 200, check: (a: Answer) => (itemsOf(a).some((r) => r.id === reportFx.ownReportId) ? undefined : `${reportFx.ownReportId} missing`) },
    other: { expect: 200, check: (a: Answer) => empty('reports', itemsOf(a)) },
  },
  'GET /v1/reports/:id': {
    own: { params: () => ({ id: reportFx.ownReportId }), expect: 200, check: (a: Answer) => ((a.body as Json).id === reportFx.ownReportId && (a.body as Json).status === 'ready' ? undefined : 'not the ready report') },
    other: { params: () => ({ id: reportFx.otherReportId }), expect: 404 },
  },
  'GET /v1/reports/:id/download': {
    own: { params: () => ({ id: reportFx.ownReportId }), expect: 200, check: (a: Answer) => (String(a.body).startsWith('sequence,id,') ? undefined : 'not the CSV') },
    other: { params: () => ({ id: reportFx.otherReportId }), expect: 404 },
    read: 'download',
  },
  'GET /v1/reports/:id/verify': {
    own: { params: () => ({ id: reportFx.ownReportId }), expect: 200, check: (a: Answer) => ((a.body as Json).fileHashValid === true && (a.body as Json).signatureValid === true ? undefined : 'not valid') },
    other: { params: () => ({ id: reportFx.otherReportId }), expect: 404 },
  },
} satisfies Record<string, Row>);

// Tenant settings, alert recipients and the notification centre (issue 7 §8).
const isDefaultOf = (what: string, expected: Json) => (a: Answer) => (Object.entries(expected).every(([k, v]) => JSON.stringify((a.body as Json)[k]) === JSON.stringify(v)) ? undefined : `${what} not the default: ${JSON.stringify(a.body)}`);
Object.assign(SAMPLES, {
  'GET /v1/tenant-settings': {
    own: { expect: 200, check: (a: Answer) => (typeof (a.body as Json).timezone === 'string' ? undefined : 'no timezone') },
    other: { expect: 200, check: isDefaultOf('settings', { timezone: 'UTC', version: 0 }) },
  },
  'PUT /v1/tenant-settings': {
    own: { body: () => ({ timezone: 'Europe/Berlin' }), expect: 200 },
    // Always the caller's tenant: a body naming another tenant is refused as malformed.
    other: { body: () => ({ timezone: 'Asia/Tokyo', tenantId: OTHER }), expect: 400 },
  },
  'GET /v1/alert-recipients': {
    own: { expect: 200, check: (a: Answer) => (Array.isArray((a.body as Json).roles) ? undefined : 'no roles') },
    other: { expect: 200, check: isDefaultOf('recipients', { userIds: [], roles: ['compliance_officer', 'super_admin'], minSeverity: 'low', version: 0 }) },
  },
  'PUT /v1/alert-recipients': {
    own: { body: () => ({ userIds: [], roles: ['compliance_officer', 'super_admin'], minSeverity: 'low' }), expect: 200 },
    other: { body: () => ({ userIds: [], roles: [], minSeverity: 'critical', tenantId: OTHER }), expect: 400 },
  },
  'GET /v1/notifications': {
    own: {
      params: async (f: Fixtures) => ((f.latestOwnNotificationId = await f.freshOwnNotification()), {}),
      expect: 200,
      check: (a: Answer, f: Fixtures) => (itemsOf(a).some((n) => n.id === f.latestOwnNotificationId) ? undefined : `${f.latestOwnNotificationId} missing`),
    },
    other: { expect: 200, check: (a: Answer) => empty('notifications', itemsOf(a)) },
  },
  'GET /v1/notifications/stream': { own: { expect: 200 }, other: { expect: 200 }, read: 'sse' },
  'POST /v1/notifications/:id/read': {
    own: { params: (f: Fixtures) => ({ id: f.ownNotificationId }), expect: 200, check: (a: Answer, f: Fixtures) => ((a.body as Json).id === f.ownNotificationId && (a.body as Json).readAt ? undefined : 'not marked read') },
    other: { params: (f: Fixtures) => ({ id: f.otherNotificationId }), expect: 404 },
  },
  'POST /v1/notifications/read-all': {
    own: { expect: 200 },
    other: { expect: 200, check: (a: Answer) => ((a.body as Json).markedRead === 0 ? undefined : `marked ${JSON.stringify(a.body)}`) },
  },
} satisfies Record<string, Row>);

/** A webhook endpoint (with a delivered test delivery) in acme and in globex, pointed at a local receiver that answers 204. */
interface WebhookFixtures {
  url: string;
  own: { id: string; deliveryId: string };
  other: { id: string; deliveryId: string };
  /**
   * A new endpoint of acme (report.ready), with a delivered test delivery. Not subscribed to audit.events
   * or alerts: every endpoint change raises or joins a security-config-change alert, and dozens of
   * endpoints each receiving every alert (or every self-audit record) slow the run down quadratically.
   */
  fresh(): Promise<{ id: string; deliveryId: string }>;
}

async function givenWebhookFixtures(http: () => ReturnType<typeof request>, admin: (tenant: string) => string): Promise<WebhookFixtures> {
  const server = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const endpointOf = async (tenant: string, eventTypes = ['audit.events', 'alert.raised']) => {
    const id = (await http().post('/v1/webhooks').set('Authorization', admin(tenant)).send({ url, eventTypes }).expect(201)).body.id as string;
    const delivery = (await http().post(`/v1/webhooks/${id}/test`).set('Authorization', admin(tenant)).expect(200)).body as Json;
    if (delivery.status !== 'delivered') throw new Error(`fixture test delivery not delivered: ${JSON.stringify(delivery)}`);
    return { id, deliveryId: delivery.id as string };
  };
  return { url, own: await endpointOf(OWN), other: await endpointOf(OTHER), fresh: () => endpointOf(OWN, ['report.ready']) };
}

const webhookOf = (which: 'own' | 'other') => (f: Fixtures) => ({ id: f.webhooks[which].id });
const deliveryOf = (which: 'own' | 'other') => (f: Fixtures) => ({ id: f.webhooks[which].id, deliveryId: f.webhooks[which].deliveryId });

Object.assign(SAMPLES, {
  'GET /v1/webhooks': {
    own: { expect: 200, check: (a: Answer, f: Fixtures) => (itemsOf(a).some((w) => w.id === f.webhooks.own.id) ? undefined : `${f.webhooks.own.id} missing`) },
    other: { expect: 200, check: (a: Answer) => empty('webhooks', itemsOf(a)) },
  },
  'POST /v1/webhooks': {
    own: { body: (f: Fixtures) => ({ url: f.webhooks.url, eventTypes: ['alert.raised'] }), expect: 201 },
    other: { body: (f: Fixtures) => ({ url: f.webhooks.url, eventTypes: ['alert.raised'], tenantId: OTHER }), expect: 400 },
  },
  'GET /v1/webhooks/:id': {
    own: { params: webhookOf('own'), expect: 200, check: (a: Answer) => ('secret' in (a.body as Json) ? 'the secret is shown' : undefined) },
    other: { params: webhookOf('other'), expect: 404 },
  },
  'PUT /v1/webhooks/:id': {
    own: { params: async (f: Fixtures) => ({ id: (await f.webhooks.fresh()).id }), body: () => ({ description: 'matrix' }), expect: 200 },
    other: { params: webhookOf('other'), body: () => ({ enabled: false }), expect: 404 },
  },
  'DELETE /v1/webhooks/:id': {
    own: { params: async (f: Fixtures) => ({ id: (await f.webhooks.fresh()).id }), expect: 204 },
    other: { params: webhookOf('other'), expect: 404 },
  },
  'POST /v1/webhooks/:id/rotate-secret': {
    own: { params: webhookOf('own'), expect: 200 },
    other: { params: webhookOf('other'), expect: 404 },
  },
  'POST /v1/webhooks/:id/test': {
    own: { params: webhookOf('own'), expect: 200 },
    other: { params: webhookOf('other'), expect: 404 },
  },
  'GET /v1/webhooks/:id/deliveries': {
    own: { params: webhookOf('own'), expect: 200, check: (a: Answer, f: Fixtures) => (itemsOf(a).every((d) => d.webhookId === f.webhooks.own.id) ? undefined : 'a delivery of another endpoint') },
    other: { params: webhookOf('other'), expect: 404 },
  },
  'GET /v1/webhooks/:id/deliveries/:deliveryId': {
    own: { params: deliveryOf('own'), expect: 200 },
    other: { params: deliveryOf('other'), expect: 404 },
  },
  'POST /v1/webhooks/:id/deliveries/:deliveryId/retry': {
    own: { params: async (f: Fixtures) => f.webhooks.fresh(), expect: 202 },
    other: { params: deliveryOf('other'), expect: 404 },
  },
  'POST /v1/webhooks/:id/replay': {
    own: { params: webhookOf('own'), body: () => ({ from: inDays(-1), to: inDays(1) }), expect: 202 },
    other: { params: webhookOf('other'), body: () => ({ from: inDays(-1), to: inDays(1) }), expect: 404 },
  },
} satisfies Record<string, Row>);

Object.assign(SAMPLES, {
  'GET /v1/report-schedules': {
    own: { expect: 200, check: (a: Answer, f: Fixtures) => (itemsOf(a).some((s) => s.id === f.schedules.ownId) ? undefined : `${f.schedules.ownId} missing`) },
    other: { expect: 200, check: (a: Answer) => empty('schedules', itemsOf(a)) },
  },
  'GET /v1/report-schedules/:id': {
    own: { params: (f: Fixtures) => ({ id: f.schedules.ownId }), expect: 200, check: (a: Answer, f: Fixtures) => ((a.body as Json).id === f.schedules.ownId ? undefined : 'another schedule') },
    other: { params: (f: Fixtures) => ({ id: f.schedules.otherId }), expect: 404 },
  },
  'POST /v1/report-schedules': {
    own: { body: () => reportSchedule, expect: 201 },
    other: { body: () => reportSchedule, expect: 201 },
  },
  'PUT /v1/report-schedules/:id': {
    own: { params: async (f: Fixtures) => ({ id: await f.schedules.freshOwn() }), body: () => ({ ...reportSchedule, time: '07:00' }), expect: 200 },
    other: { params: (f: Fixtures) => ({ id: f.schedules.otherId }), body: () => ({ ...reportSchedule, time: '07:00' }), expect: 404 },
  },
  'DELETE /v1/report-schedules/:id': {
    own: { params: async (f: Fixtures) => ({ id: await f.schedules.freshOwn() }), expect: 204 },
    other: { params: (f: Fixtures) => ({ id: f.schedules.otherId }), expect: 404 },
  },
  'POST /v1/report-schedules/:id/run': {
    own: { params: (f: Fixtures) => ({ id: f.schedules.ownId }), expect: () => runNowStatus },
    other: { params: (f: Fixtures) => ({ id: f.schedules.otherId }), expect: 404 },
  },
} satisfies Record<string, Row>);

/** Routes that need no token at all. */
const PUBLIC_SAMPLES: Record<string, number> = { 'GET /health': 200 };

const keyOf = (route: RouteInfo) => `${route.method} ${route.path}`;

describe('Authorization matrix: every route × every built-in role × own / other tenant', () => {
  let t: TestApp;
  let baseUrl: string;
  let routes: RouteInfo[];
  let fixtures: Fixtures;
  const matrix = loadRoleMatrix();
  const http = () => request(t.app.getHttpServer());
  let counter = 0;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = baseUrlOf(t.app.getHttpServer());
    routes = routesOf(t.app);
    fixtures = await givenFixtures();
    reportFx = await givenReportFixtures();
  }, 60_000);
  afterAll(() => t.close());

  /** Objects in acme (the callers' own tenant) and in globex (another tenant), made through the API. */
  async function givenFixtures(): Promise<Fixtures> {
    const api = auditApi(t.app);
    const admin = (tenant: string) => bearer({ tenant, roles: ['super_admin'], sub: 'fixture-admin' });
    const writer = (tenant: string) => bearer({ tenant, roles: ['audit_writer'], sub: 'fixture-writer', actorType: 'service' });
    const shared = () => event({ resource: { type: 'invoice', id: SHARED_RESOURCE } });
    const [own] = await api.record(writer(OWN), [shared()]);
    const [other] = await api.record(writer(OTHER), [shared()]);
    const newName = () => `matrix_role_${++counter}`;
    const createRole = async (tenant: string) => {
      const name = newName();
      await http().post('/v1/roles').set('Authorization', admin(tenant)).send({ name, permissions: ['audit:read'] }).expect(201);
      return name;
    };
    const createGrant = async (tenant: string) =>
      (await http().post('/v1/cross-tenant-grants').set('Authorization', admin(tenant)).send({ grantee: 'ops-matrix', granteeTenant: 'platform', permissions: ['audit:read'], expiresAt: inDays(1) }).expect(201)).body
        .id as string;
    const newRuleId = () => `matrix-rule-${++counter}`;
    const createRule = async (tenant: string) => {
      const id = newRuleId();
      await http().post('/v1/monitoring-rules').set('Authorization', admin(tenant)).send(customRule(id)).expect(201);
      return id;
    };
    // Five denied role changes by one new actor: one privilege-escalation-attempts alert, once the engine applied them.
    const raiseAlert = async (tenant: string) => {
      const actor = `matrix-actor-${++counter}`;
      await api.record(writer(tenant), [0, 1, 2, 3, 4].map((s) => event({ actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', occurredAt: new Date(Date.now() - 60_000 + s * 1000).toISOString() })));
      if (!(await projectionSettled(t.app, MONITORING_PROJECTION))) throw new Error('the rules engine did not catch up');
      const alerts = (await http().get('/v1/alerts?ruleId=privilege-escalation-attempts').set('Authorization', admin(tenant)).expect(200)).body.items as Json[];
      const alert = alerts.find((a) => (a.groupKey as Json)['actor.id'] === actor);
      if (!alert) throw new Error(`no alert raised for ${actor} in ${tenant}`);
      return alert.id as string;
    };
    const fixtures: Fixtures = {
      ownRuleId: await createRule(OWN),
      otherRuleId: await createRule(OTHER),
      ownAlertId: await raiseAlert(OWN),
      otherAlertId: await raiseAlert(OTHER),
      freshOwnRule: () => createRule(OWN),
      freshOwnAlert: () => raiseAlert(OWN),
      newRuleId,
      schedules: await givenSchedules(admin),
      ownEventId: own.id,
      otherEventId: other.id,
      ownRole: await createRole(OWN),
      otherRole: await createRole(OTHER),
      otherGrantId: await createGrant(OTHER),
      freshOwnRole: () => createRole(OWN),
      freshOwnGrant: () => createGrant(OWN),
      newName,
      ownNotificationId: '',
      otherNotificationId: '',
      freshOwnNotification: () => notifyApplied(OWN),
      latestOwnNotificationId: '',
      webhooks: await givenWebhookFixtures(http, admin),
    };
    await createGrant(OWN);
    const notify = async (tenant: string) => {
      const key = `matrix-notification-${++counter}`;
      await t.app.get<Notifications>(NOTIFICATIONS).publish(tenant, { kind: 'report', title: 'Matrix', link: '/v1/alerts', key, recipients: { userIds: [CALLER], roles: [] }, occurredAt: new Date().toISOString() });
      return notificationIdOf(tenant, key);
    };
    const notifyApplied = async (tenant: string) => {
      const id = await notify(tenant);
      const [published] = await t.app.get<EventStore>(EVENT_STORE).readStream(notificationStreamOf(tenant, id));
      if (!(await t.app.get(ProjectionRegistry).runner(NOTIFICATIONS_PROJECTION).waitFor(published.position, 10_000))) throw new Error(`notification ${id} not applied`);
      return id;
    };
    fixtures.ownNotificationId = await notifyApplied(OWN);
    fixtures.otherNotificationId = await notifyApplied(OTHER);
    return fixtures;
  }

  async function givenSchedules(admin: (tenant: string) => string): Promise<ScheduleFixtures> {
    runNowStatus = hasProvider(t, REPORT_REQUESTS) ? 202 : 503;
    const create = async (tenant: string) => (await http().post('/v1/report-schedules').set('Authorization', admin(tenant)).send(reportSchedule).expect(201)).body.id as string;
    return { ownId: await create(OWN), otherId: await create(OTHER), freshOwn: () => create(OWN) };
  }

  async function givenReportFixtures(): Promise<ReportFixtures> {
    const officer = (tenant: string) => bearer({ tenant, roles: ['compliance_officer'], sub: 'fixture-officer' });
    const newTemplateId = () => `matrix-template-${++counter}`;
    const createTemplate = async (tenant: string) => {
      const id = newTemplateId();
      await http().post('/v1/report-templates').set('Authorization', officer(tenant)).send(reportTemplate(id)).expect(201);
      return id;
    };
    const createReport = async (tenant: string) => (await http().post('/v1/reports').set('Authorization', officer(tenant)).send(reportRequest('sox-privileged-access')).expect(202)).body.id as string;
    const result = { ownTemplateId: await createTemplate(OWN), otherTemplateId: await createTemplate(OTHER), ownReportId: await createReport(OWN), otherReportId: await createReport(OTHER), newTemplateId };
    await t.app.get(ReportGenerator).idle();
    const head = await t.app.get<EventStore>(EVENT_STORE).headPosition({ streamPrefixes: t.app.get(ReportsProjection).streamPrefixes });
    await t.app.get(ProjectionRegistry).runner(REPORTS_PROJECTION).waitFor(head!, 5000);
    return result;
  }

  async function send(key: string, row: Row, sample: Case, token: string, callerTenant: string): Promise<Answer> {
    const [method, pattern] = key.split(' ');
    const params = (await sample.params?.(fixtures)) ?? {};
    const path = pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? `<missing ${name}>`)) + (sample.query ? `?${sample.query}` : '');
    if (row.read === 'sse') {
      const sse = await openSse(baseUrl, path, { Authorization: token });
      sse.close();
      return { status: sse.status, headers: sse.headers, body: null };
    }
    let req = http()[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](path).set('Authorization', token);
    for (const [name, value] of Object.entries(sample.headers?.(callerTenant) ?? {})) req = req.set(name, value);
    if (row.read === 'download') req = req.buffer(true).parse(textBody());
    const body = sample.body?.(fixtures);
    const res = body === undefined ? await req : await req.send(body as object);
    return { status: res.status, headers: res.headers, body: res.body };
  }

  /** Runs one case; returns what is wrong with the answer, or nothing. */
  async function verify(route: RouteInfo, role: Role, tenant: 'own' | 'other'): Promise<string | undefined> {
    const key = keyOf(route);
    const row = SAMPLES[key];
    if (!row) return `${key}: new route without an entry in SAMPLES`;
    const sample = row[tenant];
    const permissions = matrix.get(role) ?? new Set<Permission>();
    const required = route.get<Permission[]>(REQUIRED_PERMISSIONS) ?? [];
    const permitted = required.some((p) => permissions.has(p));
    const expected = !permitted ? 403 : typeof sample.expect === 'number' ? sample.expect : sample.expect(permissions);
    const callerTenant = tenant === 'own' ? OWN : `matrix_t${++counter}`;
    const token = bearer({ tenant: callerTenant, roles: [role], sub: CALLER });
    const answer = await send(key, row, sample, token, callerTenant);
    const where = `${key} [${tenant} tenant] as ${role}`;
    if (answer.status !== expected) return `${where}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    if (expected === 403 && !String(answer.headers['content-type']).startsWith('application/problem+json')) return `${where}: a 403 that is not problem+json`;
    if (row.read === 'sse' && expected === 200 && !String(answer.headers['content-type']).startsWith('text/event-stream')) return `${where}: not an event stream`;
    const problem = expected < 300 ? sample.check?.(answer, fixtures, callerTenant) : undefined;
    return problem && `${where}: ${problem}`;
  }

  it('knows every built-in role of config/roles.json (a new role must be added here)', () => {
    expect([...matrix.keys()].sort()).toEqual([...BUILT_IN_ROLES].sort());
  });

  it('has an entry for every route the application serves (a new route without an entry fails here)', () => {
    const missing = routes.filter((r) => !r.get<boolean>(PUBLIC_ROUTE) && !SAMPLES[keyOf(r)]).map(keyOf);
    const missingPublic = routes.filter((r) => r.get<boolean>(PUBLIC_ROUTE) && PUBLIC_SAMPLES[keyOf(r)] === undefined).map(keyOf);
    expect([...missing, ...missingPublic]).toEqual([]);
  });

  it('has no entry for a route the application does not serve', () => {
    const served = new Set(routes.map(keyOf));
    expect([...Object.keys(SAMPLES), ...Object.keys(PUBLIC_SAMPLES)].filter((key) => !served.has(key))).toEqual([]);
  });

  it('every protected route declares the permission the matrix reads', () => {
    expect(routes.filter((r) => !r.get<boolean>(PUBLIC_ROUTE) && !r.get<Permission[]>(REQUIRED_PERMISSIONS)?.length).map(keyOf)).toEqual([]);
  });

  it('public routes answer without a token', async () => {
    for (const route of routes.filter((r) => r.get<boolean>(PUBLIC_ROUTE))) {
      expect([keyOf(route), (await http().get(route.path)).status]).toEqual([keyOf(route), PUBLIC_SAMPLES[keyOf(route)]]);
    }
  });

  it.each(BUILT_IN_ROLES)('%s: every route, own tenant and other tenant, answers as the table says', async (role) => {
    const failures: string[] = [];
    let cases = 0;
    for (const route of routes.filter((r) => !r.get<boolean>(PUBLIC_ROUTE))) {
      for (const tenant of ['own', 'other'] as const) {
        cases++;
        const failure = await verify(route, role, tenant);
        if (failure) failures.push(failure);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBe(2 * Object.keys(SAMPLES).length);
  }, 60_000);

  it("leaves the other tenant's objects as they were", async () => {
    const globexAdmin = bearer({ tenant: OTHER, roles: ['super_admin'], sub: 'fixture-admin' });
    const role = await http().get(`/v1/roles/${fixtures.otherRole}`).set('Authorization', globexAdmin).expect(200);
    expect(role.body).toMatchObject({ permissions: ['audit:read'], revision: 0 });
    const grants = await http().get('/v1/cross-tenant-grants').set('Authorization', globexAdmin).expect(200);
    expect(grants.body.items).toEqual([expect.objectContaining({ id: fixtures.otherGrantId, status: 'active' })]);
    const officer = bearer({ tenant: OTHER, roles: ['compliance_officer'], sub: 'fixture-officer' });
    await http().get(`/v1/audit-events/${fixtures.otherEventId}`).set('Authorization', officer).expect(200);
    const rule = await http().get(`/v1/monitoring-rules/${fixtures.otherRuleId}`).set('Authorization', officer).expect(200);
    expect(rule.body).toMatchObject({ severity: 'low', enabled: true, version: 1 });
    const alert = await http().get(`/v1/alerts/${fixtures.otherAlertId}`).set('Authorization', officer).expect(200);
    expect(alert.body).toMatchObject({ status: 'open', history: [expect.objectContaining({ status: 'open' })] });
  });

  it('no route, called by any role, deleted or changed a recorded event: both logs still start at sequence 0 and verify', async () => {
    for (const tenant of [OWN, OTHER]) {
      const [first] = await t.app.get<EventStore>(EVENT_STORE).readStream(`audit-${tenant}`, { maxCount: 1 });
      expect(first.revision).toBe(0);
      const verify = await http().get('/v1/integrity/verify').set('Authorization', bearer({ tenant, roles: ['compliance_officer'], sub: 'fixture-officer' })).expect(200);
      expect(verify.body).toMatchObject({ valid: true, fromSequence: 0 });
      expect(verify.body.expired).toBeUndefined();
    }
  });
});
