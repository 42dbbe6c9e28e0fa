import * as fs from 'node:fs';
import request from 'supertest';
import { createTestApp } from '../test/support/test-app';
(async () => {
  const t = await createTestApp();
  const res = await request(t.app.getHttpServer()).get('/docs-json');
  fs.writeFileSync('/tmp/pdfsched/openapi.json', JSON.stringify(res.body, null, 2));
  await t.close();
})();
