import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { makeTempDir } from '../support/temp-dir';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * /docs-json is a contract other teams generate clients from: it must pass Redocly's recommended rules
 * (redocly.yaml; accepted exceptions, each with its reason, in .redocly.lint-ignore.yaml).
 */
describe('the OpenAPI document lints clean with Redocly (recommended rules)', () => {
  let t: TestApp;
  let temp: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    t = await createTestApp();
    temp = makeTempDir('audit-trail-openapi-lint-');
  });
  afterAll(async () => {
    await t.close();
    temp.cleanup();
  });

  it('redocly lint: 0 errors, 0 warnings', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs-json').expect(200);
    fs.writeFileSync(path.join(temp.dir, 'openapi.json'), JSON.stringify(res.body, null, 2));
    // The ignore file names the document by its path relative to itself: lint a copy next to both files.
    for (const file of ['redocly.yaml', '.redocly.lint-ignore.yaml']) fs.copyFileSync(path.join(REPO_ROOT, file), path.join(temp.dir, file));
    const lint = spawnSync(process.execPath, [require.resolve('@redocly/cli/bin/cli.js'), 'lint', 'openapi.json', '--format=stylish'], {
      cwd: temp.dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    });
    const problems = `${lint.stdout}\n${lint.stderr}`.split('\n').filter((line) => /\b(error|warning)\b/.test(line) && !/Node\.js/.test(line));
    expect({ exit: lint.status, problems }).toEqual({ exit: 0, problems: [] });
  }, 150_000);
});
