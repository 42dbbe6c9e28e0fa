import { Logger } from '@nestjs/common';
import * as jwt from 'jsonwebtoken';
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { AUDIT_EVENT_RECORDED } from '../../src/audit-log/audit-event';
import { AuditLogProjection } from '../../src/audit-log/audit-log.projection';
import { AUDIT_EVENTS } from '../../src/audit-log/audit-log.read-model';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { SqliteReadStore } from '../../src/read-store/sqlite/sqlite-read-store';
import { resolveJwtVerification } from '../../src/auth/jwt-keys';
import { loadAppConfig } from '../../src/config/app-config';
import { auditEvent } from '../support/audit-event.factory';
import { BuiltApp, buildApp, Exited, jsonLine, killAllChildren, runNode, startService } from '../support/built-app';
import { makeTempDir } from '../support/temp-dir';
import { readStoreEnv } from '../support/test-app';
import { bearer, TEST_JWT_SECRET } from '../support/tokens';

/**
 * The service and its command-line tools as a user runs them: compiled, as child processes, with a
 * DATA_DIR of their own. See test/support/built-app.ts for where the compiled code comes from.
 */

const TOKEN_CLI = 'dist/auth/cli/issue-dev-token.cli.js';
const REBUILD_CLI = 'dist/projections/cli/rebuild-projection.cli.js';
const MAIN = 'dist/main.js';
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const CHILD_TIMEOUT_MS = 20_000;

let app: BuiltApp;
const tempDirs: Array<() => void> = [];

/** A fresh DATA_DIR for one test. */
function dataDir(): string {
  const temp = makeTempDir('audit-trail-cli-');
  tempDirs.push(temp.cleanup);
  return temp.dir;
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
const describeExit = (r: Exited) => `exit ${r.code} / ${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function expectExit(result: Exited, code: number): void {
  if (result.code !== code) throw new Error(`expected exit code ${code}, got ${describeExit(result)}`);
}

beforeAll(async () => {
  app = await buildApp();
}, 180_000);

afterAll(() => {
  killAllChildren();
  for (const cleanup of tempDirs) cleanup();
  app?.cleanup();
});

describe('issue-dev-token CLI (npm run token)', () => {
  const issue = (args: string[], env: Record<string, string | undefined>) => runNode(app, TOKEN_CLI, args, env, CHILD_TIMEOUT_MS);
  const ARGS = ['--tenant', 'acme', '--sub', 'alice', '--roles', 'compliance_officer'];

  /** What the service does at its first start in development without a key: generate DATA_DIR/dev-jwt-secret. */
  const startedServiceOn = (dir: string) => resolveJwtVerification(loadAppConfig({ NODE_ENV: 'development', DATA_DIR: dir }), new Logger('test')).key;

  it("in development without JWT_SECRET: signs with the secret the service generated in DATA_DIR and says which file it used (stderr)", async () => {
    const dir = dataDir();
    const secret = startedServiceOn(dir);
    const result = await issue(ARGS, { NODE_ENV: 'development', DATA_DIR: dir });
    expectExit(result, 0);

    const token = lines(result.stdout).at(-1)!;
    expect(token).toMatch(JWT_SHAPE);
    const claims = jwt.verify(token, secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ tenant: 'acme', sub: 'alice', roles: ['compliance_officer'], actor_type: 'user' });
    const now = Math.floor(Date.now() / 1000);
    expect(claims.exp).toBeGreaterThan(now + 3500);
    expect(claims.exp).toBeLessThanOrEqual(now + 3601);
    expect(jwt.decode(token, { complete: true })!.header.alg).toBe('HS256');
    expect(result.stderr).toContain(path.join(dir, 'dev-jwt-secret'));
  }, 30_000);

  // Regression: stdout must be exactly the token (TOKEN=$(npm run token …)); diagnostics go to stderr.
  it('prints nothing but the token on stdout', async () => {
    const dir = dataDir();
    startedServiceOn(dir);
    const result = await issue(ARGS, { NODE_ENV: 'development', DATA_DIR: dir });
    expectExit(result, 0);
    expect(result.stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
  }, 30_000);

  it('never writes the secret file: later runs sign with the unchanged secret', async () => {
    const dir = dataDir();
    const secret = startedServiceOn(dir);
    const before = fs.statSync(path.join(dir, 'dev-jwt-secret')).mtimeMs;
    expectExit(await issue(ARGS, { NODE_ENV: 'development', DATA_DIR: dir }), 0);
    const second = await issue(['--tenant', 'globex', '--sub', 'bob'], { NODE_ENV: 'development', DATA_DIR: dir });
    expectExit(second, 0);
    expect(fs.readFileSync(path.join(dir, 'dev-jwt-secret'), 'utf8').trim()).toBe(secret);
    expect(fs.statSync(path.join(dir, 'dev-jwt-secret')).mtimeMs).toBe(before);
    expect(jwt.verify(second.stdout.trim(), secret, { algorithms: ['HS256'] })).toMatchObject({ tenant: 'globex', sub: 'bob', roles: [] });
  }, 30_000);

  it('refuses a --ttl beyond JWT_MAX_LIFETIME_SECONDS (the service would refuse the token), printing no token', async () => {
    const result = await issue([...ARGS, '--ttl', '7200'], { NODE_ENV: 'development', DATA_DIR: dataDir(), JWT_SECRET: TEST_JWT_SECRET, JWT_MAX_LIFETIME_SECONDS: '3600' });
    expectExit(result, 64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/JWT_MAX_LIFETIME_SECONDS \(3600\)/);
  }, 30_000);

  // Regression (issue 13): run without the server's DATA_DIR it minted a second secret, and every call then failed with "invalid signature".
  it('in development without JWT_SECRET and without a secret in DATA_DIR: exits 78, creates nothing, and says to pass the DATA_DIR the service uses or JWT_SECRET', async () => {
    const dir = dataDir();
    const result = await issue(ARGS, { NODE_ENV: 'development', DATA_DIR: dir });
    expectExit(result, 78);
    expect(result.stdout).toBe('');
    expect(fs.existsSync(path.join(dir, 'dev-jwt-secret'))).toBe(false);
    expect(result.stderr).toContain(path.join(dir, 'dev-jwt-secret'));
    expect(result.stderr).toContain('DATA_DIR=');
    expect(result.stderr).toContain('JWT_SECRET');
  }, 30_000);

  it('signs with JWT_SECRET when it is set (and generates no secret file), honouring --ttl, --sid and --actor-type', async () => {
    const dir = dataDir();
    const result = await issue(['--tenant', 'acme', '--sub', 'svc-billing', '--roles', 'audit_writer, auditor', '--ttl', '120', '--sid', 's-9', '--actor-type', 'service'], {
      NODE_ENV: 'development',
      DATA_DIR: dir,
      JWT_SECRET: TEST_JWT_SECRET,
    });
    expectExit(result, 0);
    expect(fs.existsSync(path.join(dir, 'dev-jwt-secret'))).toBe(false);
    const claims = jwt.verify(result.stdout.trim(), TEST_JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ tenant: 'acme', sub: 'svc-billing', roles: ['audit_writer', 'auditor'], sid: 's-9', actor_type: 'service' });
    expect(claims.exp! - claims.iat!).toBe(120);
  }, 30_000);

  it('includes JWT_ISSUER and JWT_AUDIENCE when configured', async () => {
    const result = await issue(ARGS, { NODE_ENV: 'development', DATA_DIR: dataDir(), JWT_SECRET: TEST_JWT_SECRET, JWT_ISSUER: 'https://idp.example.com/', JWT_AUDIENCE: 'audit-trail-api' });
    expectExit(result, 0);
    expect(jwt.verify(result.stdout.trim(), TEST_JWT_SECRET, { algorithms: ['HS256'], issuer: 'https://idp.example.com/', audience: 'audit-trail-api' })).toBeTruthy();
  }, 30_000);

  it('refuses in production even with a JWT_SECRET: non-zero exit, nothing on stdout', async () => {
    const result = await issue(ARGS, { NODE_ENV: 'production', DATA_DIR: dataDir(), JWT_SECRET: TEST_JWT_SECRET });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/refusing/);
  }, 30_000);

  it('refuses in production without a key: non-zero exit, nothing on stdout, no secret generated', async () => {
    const dir = dataDir();
    const result = await issue(ARGS, { NODE_ENV: 'production', DATA_DIR: dir });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('JWT_SECRET');
    expect(fs.existsSync(path.join(dir, 'dev-jwt-secret'))).toBe(false);
  }, 30_000);

  it.each([
    ['--tenant', ['--sub', 'alice', '--roles', 'compliance_officer']],
    ['--sub', ['--tenant', 'acme', '--roles', 'compliance_officer']],
  ])('exits 64 with the usage when %s is missing', async (_missing, args) => {
    const result = await issue(args, { NODE_ENV: 'development', DATA_DIR: dataDir(), JWT_SECRET: TEST_JWT_SECRET });
    expectExit(result, 64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^usage: /);
    expect(result.stderr).toContain('--tenant');
  }, 30_000);
});

describe('the service (node dist/main.js)', () => {
  it('refuses to start in production without a key: non-zero exit naming JWT_SECRET', async () => {
    const dir = dataDir();
    const result = await runNode(app, MAIN, [], { NODE_ENV: 'production', DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' }, CHILD_TIMEOUT_MS);
    expect(result.signal).toBeNull(); // it exited by itself; it was not killed by the timeout
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('JWT_SECRET');
    const fatal = lines(result.stderr).map(jsonLine).find((l) => l?.msg === 'refusing to start');
    expect(fatal).toMatchObject({ level: 'fatal', problems: [expect.stringContaining('JWT_SECRET')] });
    expect(fs.existsSync(path.join(dir, 'dev-jwt-secret'))).toBe(false);
  }, 30_000);

  it('refuses to start with a JWT_SECRET shorter than 32 characters, without echoing it', async () => {
    const result = await runNode(app, MAIN, [], { NODE_ENV: 'production', DATA_DIR: dataDir(), JWT_SECRET: 'short-secret-4711', PORT: '0', HOST: '127.0.0.1' }, CHILD_TIMEOUT_MS);
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('JWT_SECRET');
    expect(result.stdout + result.stderr).not.toContain('short-secret-4711');
  }, 30_000);

  it('in development without a key, accepts the tokens that `npm run token` issues on the same DATA_DIR', async () => {
    const dir = dataDir();
    const service = await startService(app, { NODE_ENV: 'development', DATA_DIR: dir });
    try {
      const issued = await runNode(app, TOKEN_CLI, ['--tenant', 'acme', '--sub', 'alice', '--roles', 'compliance_officer'], { NODE_ENV: 'development', DATA_DIR: dir }, CHILD_TIMEOUT_MS);
      expectExit(issued, 0);
      const token = lines(issued.stdout).at(-1)!;
      expect((await fetch(`${service.url}/v1/audit-events`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${service.url}/v1/audit-events`, { headers: { Authorization: bearer({ roles: ['compliance_officer'] }) } })).status).toBe(401);
    } finally {
      await service.stop();
    }
  }, 45_000);
});

describe('rebuild-projection CLI (npm run projection:rebuild)', () => {
  const baseEnv = (dir: string) => ({ NODE_ENV: 'production', DATA_DIR: dir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info' });
  const rebuild = (args: string[], dir: string) => runNode(app, REBUILD_CLI, args, baseEnv(dir), CHILD_TIMEOUT_MS);

  it('--list lists audit_log', async () => {
    const result = await rebuild(['--list'], dataDir());
    expectExit(result, 0);
    expect(lines(result.stdout)).toContain('audit_log');
  }, 30_000);

  it('exits 64 for an unknown projection name, naming the known ones', async () => {
    const result = await rebuild(['no_such_projection'], dataDir());
    expectExit(result, 64);
    expect(result.stderr).toContain('unknown projection "no_such_projection"');
    expect(result.stderr).toContain('audit_log');
  }, 30_000);

  it('exits 64 with the usage without arguments', async () => {
    const result = await rebuild([], dataDir());
    expectExit(result, 64);
    expect(result.stderr).toMatch(/^usage: /);
  }, 30_000);

  it('rebuilds audit_log over a stored event nested 10,000 levels: exits 0, applies every other event and reports 1 parked', async () => {
    const dir = dataDir();
    const events = new SqliteEventStore({ file: path.join(dir, 'events.db') });
    try {
      const stored = (tenant: string, sequence: number, metadata = '{}') => {
        const id = randomUUID();
        const text = JSON.stringify({ ...auditEvent({ id }), tenantId: tenant, sequence, recordedAt: '2026-11-20T10:00:01.000Z', prevHash: 'p', hash: 'h' }).replace(/}$/, `,"metadata":${metadata}}`);
        return { id, type: AUDIT_EVENT_RECORDED, data: { id }, serializedData: text };
      };
      const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
      await events.append('audit-acme', [stored('acme', 0), stored('acme', 1, deep), stored('acme', 2)], 'no_stream');
      await events.append('audit-globex', [stored('globex', 0), stored('globex', 1)], 'no_stream');
    } finally {
      await events.close();
    }

    const result = await rebuild(['audit_log'], dir);
    expectExit(result, 0);
    const rebuilt = lines(result.stdout).map(jsonLine).find((l) => l?.msg === 'projection rebuilt');
    expect(rebuilt).toMatchObject({ projection: 'audit_log', events: 5, parked: 1 });
    const read = new SqliteReadStore({ file: path.join(dir, 'read.db') });
    try {
      await read.attachProjection(new AuditLogProjection().definition);
      expect(await read.count(AUDIT_EVENTS, {})).toBe(4);
    } finally {
      await read.close();
    }
  }, 60_000);

  it('refuses (exit 75, naming the owner) to rebuild a projection a running service owns; with --force takes it over and the service goes on serving', async () => {
    const dir = dataDir();
    const env = { ...baseEnv(dir), ...readStoreEnv().env }; // one read store for the service and the CLI
    const writer = bearer({ roles: ['audit_writer'], sub: 'svc-billing', actorType: 'service' });
    const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
    const post = (url: string) =>
      fetch(`${url}/v1/audit-events`, { method: 'POST', headers: { Authorization: writer, 'Content-Type': 'application/json' }, body: JSON.stringify(auditEvent({ actor: { id: 'lease-check', type: 'service' } })) });
    const service = await startService(app, env);
    try {
      expect((await post(service.url)).status).toBe(201);
      // Read-your-writes: the service's runner has committed, so it holds the audit_log lease.
      const read = await fetch(`${service.url}/v1/audit-events?actorId=lease-check&minSequence=0`, { headers: { Authorization: officer } });
      expect(read.status).toBe(200);

      const refused = await runNode(app, REBUILD_CLI, ['audit_log'], env, CHILD_TIMEOUT_MS);
      expectExit(refused, 75);
      expect(refused.stderr).toMatch(/projection "audit_log" is owned by \S+ \(a running service\) until .*--force/);

      const forced = await runNode(app, REBUILD_CLI, ['audit_log', '--force'], env, CHILD_TIMEOUT_MS);
      expectExit(forced, 0);
      expect(lines(forced.stdout).map(jsonLine).find((l) => l?.msg === 'projection rebuilt')).toMatchObject({ projection: 'audit_log', events: expect.any(Number) });

      // The rebuild released the lease: the service's runner takes the projection back and applies new events.
      const second = await post(service.url);
      expect(second.status).toBe(201);
      const { sequence } = (await second.json()) as { sequence: number };
      const after = await fetch(`${service.url}/v1/audit-events?actorId=lease-check&limit=10&minSequence=${sequence}`, { headers: { Authorization: officer } });
      expect(after.status).toBe(200);
      expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(2);
    } finally {
      await service.stop();
    }
  }, 90_000);

  it('rebuilds audit_log from the event store of a stopped service; the restarted service serves the same events', async () => {
    const dir = dataDir();
    const writer = bearer({ roles: ['audit_writer'], sub: 'svc-billing', actorType: 'service' });
    const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
    const action = 'invoice.rebuild-check';
    const events = Array.from({ length: 20 }, (_, i) => auditEvent({ action, resource: { type: 'invoice', id: `INV-${i}` } }));

    // 1. Run the service and record 20 events through the API.
    let service = await startService(app, baseEnv(dir));
    let headSequence: number;
    try {
      for (const event of events) {
        const res = await fetch(`${service.url}/v1/audit-events`, {
          method: 'POST',
          headers: { Authorization: writer, 'Content-Type': 'application/json' },
          body: JSON.stringify(event),
        });
        expect(res.status).toBe(201);
      }
      const verify = await fetch(`${service.url}/v1/integrity/verify`, { headers: { Authorization: officer } });
      expect(verify.status).toBe(200);
      headSequence = ((await verify.json()) as { headSequence: number }).headSequence;
      // Ingestion is not self-audited and the verify answers before writing its own record: the 20 events are 0..19.
      expect(headSequence).toBe(19);
    } finally {
      const stopped = await service.stop();
      expect(stopped.signal === 'SIGTERM' || stopped.code === 0).toBe(true); // a clean shutdown, not the SIGKILL fallback
    }

    // 2. Rebuild with the service stopped; nothing deleted.
    const result = await rebuild(['audit_log'], dir);
    expectExit(result, 0);
    const rebuilt = lines(result.stdout).map(jsonLine).find((l) => l?.msg === 'projection rebuilt');
    expect(rebuilt).toMatchObject({ projection: 'audit_log', events: expect.any(Number) });
    // Every record of the tenant's chain: the 20 events (0..headSequence) and the verify's own record (headSequence + 1).
    expect(rebuilt!.events).toBe(headSequence + 2);

    // 3. Start again: the 20 events are served from the rebuilt read model.
    service = await startService(app, baseEnv(dir));
    try {
      const res = await fetch(`${service.url}/v1/audit-events?action=${action}&limit=500`, { headers: { Authorization: officer } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Array<{ id: string; action: string; tenantId: string }>; nextCursor: string | null };
      expect(body.items.map((e) => e.id).sort()).toEqual(events.map((e) => e.id as string).sort());
      expect(body.items.every((e) => e.action === action && e.tenantId === 'acme')).toBe(true);
      expect(body.nextCursor).toBeNull();

      const verify = await fetch(`${service.url}/v1/integrity/verify`, { headers: { Authorization: officer } });
      // + the first verify's record and the list's; this verify's own record comes after its answer.
      expect(await verify.json()).toMatchObject({ valid: true, headSequence: headSequence + 2, checked: headSequence + 3 });
    } finally {
      await service.stop();
    }
  }, 60_000);
});

describe('two service instances on the same stores', () => {
  /**
   * Both on the same embedded files (SQLite WAL allows it) and, in the MongoDB pass, on the same read
   * store database: one instance owns each projection (lease, ADR 018), the other stands by.
   */
  const sharedEnv = (dir: string, readStore: NodeJS.ProcessEnv): Record<string, string | undefined> => ({
    NODE_ENV: 'production',
    DATA_DIR: dir,
    JWT_SECRET: TEST_JWT_SECRET,
    ...readStore,
  });

  it('ingest into one tenant concurrently: one valid chain, every event once, each instance reads them all, each alert raised once', async () => {
    const dir = dataDir();
    const readStore = readStoreEnv().env; // once: both instances on the same read store
    const writer = bearer({ roles: ['audit_writer'], sub: 'svc-billing', actorType: 'service' });
    const officer = bearer({ roles: ['compliance_officer'], sub: 'carol' });
    const services = [await startService(app, sharedEnv(dir, readStore)), await startService(app, sharedEnv(dir, readStore))];
    try {
      const events = Array.from({ length: 200 }, (_, i) => auditEvent({ actor: { id: 'two-instances', type: 'service' }, resource: { type: 'invoice', id: `INV-${i}` } }));
      // Among them, 5 denied role assignments by each of two actors, spread over both instances: the
      // default privilege-escalation rule raises one alert per actor, whichever instance owns the engine.
      const denied = (actor: string) => auditEvent({ actor: { id: actor, type: 'user' }, action: 'role.assign', outcome: 'denied', resource: { type: 'role', id: 'admin' } });
      const escalating = [...Array.from({ length: 5 }, () => denied('mallory')), ...Array.from({ length: 5 }, () => denied('trent'))];
      escalating.forEach((event, k) => events.splice(7 + k * 19, 0, event));
      events.splice(200);
      const post = (i: number) =>
        fetch(`${services[i % 2].url}/v1/audit-events`, { method: 'POST', headers: { Authorization: writer, 'Content-Type': 'application/json' }, body: JSON.stringify(events[i]) });
      const statuses: number[] = [];
      // Ten at a time on each instance, interleaved: appends race for the same stream revision.
      for (let from = 0; from < events.length; from += 20) {
        statuses.push(...(await Promise.all(Array.from({ length: 20 }, (_, k) => post(from + k).then((r) => r.status)))));
      }
      expect(statuses).toEqual(Array(200).fill(201));

      const verify = await fetch(`${services[0].url}/v1/integrity/verify`, { headers: { Authorization: officer } });
      const verdict = (await verify.json()) as { valid: boolean; headSequence: number };
      expect(verdict).toMatchObject({ valid: true, headSequence: 199 });

      for (const service of services) {
        // Read-your-writes waits at most 5 s on the server. On FerretDB (every read-model write a network
        // round trip into its SQLite backend) the owning instance applies these 200 concurrent events
        // about 6 s behind the last ingest, so there a 503 (retry) may come first; at most three of them.
        const read = () => fetch(`${service.url}/v1/audit-events?actorId=two-instances&limit=500&minSequence=199`, { headers: { Authorization: officer } });
        let res = await read();
        for (let retries = 0; res.status === 503 && retries < 3; retries++) res = await read();
        expect(res.status).toBe(200);
        const ids = ((await res.json()) as { items: Array<{ id: string }> }).items.map((e) => e.id);
        expect(ids).toHaveLength(190);
        expect(new Set(ids)).toEqual(new Set(events.filter((e) => !escalating.includes(e)).map((e) => e.id as string)));
      }
      for (const service of services) {
        const alerts = async () => {
          const res = await fetch(`${service.url}/v1/alerts?ruleId=privilege-escalation-attempts`, { headers: { Authorization: officer } });
          return ((await res.json()) as { items: Array<{ groupKey: Record<string, string>; eventCount: number }> }).items;
        };
        let raised = await alerts();
        for (let polls = 0; raised.length < 2 && polls < 75; polls++) raised = await new Promise((r) => setTimeout(r, 200)).then(alerts);
        expect(raised.map((a) => [a.groupKey['actor.id'], a.eventCount]).sort()).toEqual([
          ['mallory', 5],
          ['trent', 5],
        ]);
      }
    } finally {
      await Promise.all(services.map((s) => s.stop()));
    }
  }, 90_000);

  it('a scheduled report asked for on both instances at once is generated once (deterministic id per schedule and period)', async () => {
    const dir = dataDir();
    const readStore = readStoreEnv().env;
    const admin = bearer({ roles: ['super_admin'], sub: 'alice' });
    const services = [await startService(app, sharedEnv(dir, readStore)), await startService(app, sharedEnv(dir, readStore))];
    try {
      const created = await fetch(`${services[0].url}/v1/report-schedules`, {
        method: 'POST',
        headers: { Authorization: admin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ templateId: 'sox-privileged-access', frequency: 'daily', timezone: 'Europe/Berlin', time: '06:00', format: 'csv', delivery: { notify: false } }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const runs = await Promise.all(
        services.map(async (service) => {
          const res = await fetch(`${service.url}/v1/report-schedules/${id}/run`, { method: 'POST', headers: { Authorization: admin } });
          return { status: res.status, body: (await res.json()) as { id?: string; reportId?: string } };
        }),
      );
      expect(runs.map((r) => r.status)).toEqual([202, 202]);
      const reportIds = runs.map((r) => r.body.reportId ?? r.body.id);
      expect(reportIds[0]).toBeTruthy();
      expect(reportIds[1]).toBe(reportIds[0]);
      let listed: Array<{ id: string; scheduleId?: string }> = [];
      for (let polls = 0; polls < 50; polls++) {
        const res = await fetch(`${services[1].url}/v1/reports?limit=100`, { headers: { Authorization: admin } });
        listed = ((await res.json()) as { items: Array<{ id: string; scheduleId?: string }> }).items.filter((r) => r.scheduleId === id);
        if (listed.length > 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(listed.map((r) => r.id)).toEqual([reportIds[0]]);
    } finally {
      await Promise.all(services.map((s) => s.stop()));
    }
  }, 90_000);
});
