import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import * as ts from 'typescript';
import { createTestApp, TestApp } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';

/**
 * The client-side proof that the OpenAPI document describes the API usably: types generated from
 * /docs-json with openapi-typescript (the generator most TypeScript clients use) must let a client
 * write and read changes.before/after and metadata, and read list items, without a single cast.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Runs openapi-typescript's Node API (openapiTS + astToString) in a child node: its CommonJS build
 * requires ES modules, which node loads natively but jest's module system does not.
 */
function generateTypes(documentFile: string, outFile: string): void {
  const script = `
    const fs = require('node:fs');
    const { default: openapiTS, astToString } = require('openapi-typescript');
    const [input, output] = process.argv.slice(1);
    openapiTS(JSON.parse(fs.readFileSync(input, 'utf8'))).then((ast) => fs.writeFileSync(output, astToString(ast)));`;
  execFileSync(process.execPath, ['-e', script, documentFile, outFile], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

const CLIENT = `
import type { paths } from './api';

type NewEvent = NonNullable<paths['/v1/audit-events']['post']['requestBody']>['content']['application/json'];
type Page = paths['/v1/audit-events']['get']['responses'][200]['content']['application/json'];
type Detail = paths['/v1/audit-events/{id}']['get']['responses'][200]['content']['application/json'];
type Roles = paths['/v1/roles']['get']['responses'][200]['content']['application/json'];
type Grants = paths['/v1/cross-tenant-grants']['get']['responses'][200]['content']['application/json'];

export const event: NewEvent = {
  occurredAt: '2026-11-26T09:15:00Z',
  actor: { id: 'alice', type: 'user', userAgent: 'curl/8' },
  action: 'invoice.update',
  resource: { type: 'invoice', id: 'INV-1042' },
  channel: 'ui',
  changes: { before: { amount: 1200, status: 'draft' }, after: { amount: 1250, status: 'approved', lines: [{ sku: 'A' }] } },
  context: { workflowId: 'wf-1' },
  metadata: { ticket: 'T-7', attempts: 2 },
};

export const created: NewEvent = { ...event, changes: { before: null, after: { amount: 1 } } };

export function amountsBefore(page: Page): unknown[] {
  return page.items.map((item) => item.changes?.before?.['amount']);
}

export function nextCursor(page: Page): string | null | undefined {
  return page.nextCursor;
}

export function statusAfter(detail: Detail): unknown {
  return detail.changes?.after?.['status'];
}

export function ticket(detail: Detail): unknown {
  return detail.metadata?.['ticket'];
}

export function diffPaths(detail: Detail): string[] {
  return detail.diff.map((d) => d.path);
}

export function roleNames(roles: Roles): string[] {
  return roles.items.map((r) => r.name);
}

export function grantees(grants: Grants): string[] {
  return grants.items.map((g) => g.grantee);
}
`;

describe('OpenAPI document → openapi-typescript client types', () => {
  let t: TestApp;
  const temp = makeTempDir('audit-trail-openapi-');
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    temp.cleanup();
  });

  it('a client writes and reads changes.before/after and metadata and reads list items through the generated types without casts', async () => {
    const document = (await request(t.app.getHttpServer()).get('/docs-json').expect(200)).body as object;
    const documentFile = path.join(temp.dir, 'openapi.json');
    fs.writeFileSync(documentFile, JSON.stringify(document));
    generateTypes(documentFile, path.join(temp.dir, 'api.ts'));
    const client = path.join(temp.dir, 'client.ts');
    fs.writeFileSync(client, CLIENT);

    const program = ts.createProgram([client], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      skipLibCheck: true,
      types: [],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
    expect(problems).toEqual([]);
  }, 60_000);
});
