import autocannon from 'autocannon';
import { makeEvent, rng } from './lib/audit-events';
import { token } from './lib/service';
(async () => {
  const r = rng(3);
  const res = await autocannon({ url: 'http://127.0.0.1:3333', connections: 4, duration: 15, timeout: 30, requests: [{ method: 'POST', path: '/v1/audit-events/batch', headers: { 'content-type': 'application/json', authorization: `Bearer ${token(['audit_writer'], 'svc')}` }, setupRequest: (req) => ({ ...req, body: JSON.stringify({ events: Array.from({ length: 500 }, () => makeEvent(r)) }) }) }] });
  console.log('events/s', Math.round(res['2xx'] * 500 / 15), 'non2xx', res.non2xx);
})();
