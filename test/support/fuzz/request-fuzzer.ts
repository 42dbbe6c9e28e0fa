/**
 * Generates hostile requests over every route (issue 10 item 5): bodies with broken encodings,
 * media types, nesting, numbers and identifiers; query strings with numbers and dates in the
 * forms that used to slip through; odd path parameters. Deterministic for a seed.
 */

export interface FuzzRoute {
  method: string;
  path: string;
}

export interface FuzzCase {
  index: number;
  method: string;
  /** Path and query, already encoded. */
  url: string;
  route: FuzzRoute;
  headers: Record<string, string>;
  body?: Buffer;
  /** What was mutated, for the failure message. */
  mutation: string;
}

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validEvent(random: () => number, index: number): Record<string, unknown> {
  return {
    occurredAt: '2026-11-26T09:15:00.123Z',
    actor: { id: `user-${Math.floor(random() * 50)}`, type: 'user' },
    action: 'invoice.update',
    resource: { type: 'invoice', id: `INV-${index}`, name: 'Zoë’s invoice ✓' },
    channel: 'api',
    changes: { before: { amount: 1200.5, tags: ['a'] }, after: { amount: 1250, tags: [] } },
    metadata: { fuzzCase: index, nested: { list: [1, -0.5, 'x', null, true] } },
  };
}

const QUERY_VALUES = [
  '0x10', ' 5', '5 ', '1e1', '5.0', '1e20', '100000000000000000000', '-1', '', '%00', '%20%20', '%09', 'a%0Ab', '%E2%80%AE', '%FF', 'abc', '0', '1',
  '2026-01-01', '2026-02-30', '2026-11-01T00:00:00', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00+01:00', '2026-11-01T00:00:00%2B01:00', '9999-12-31T23:59:59Z',
  'true', 'false', 'csv', 'ndjson', 'xml', 'open', 'high', 'x'.repeat(300), '%F0%9F%98%80', '__proto__', 'constructor', '%5B%5D',
];
const QUERY_NAMES = [
  'limit', 'cursor', 'from', 'to', 'actorId', 'actorType', 'resourceType', 'resourceId', 'action', 'outcome', 'channel', 'excludeSelfAudit', 'minSequence',
  'fromSequence', 'toSequence', 'lastEventId', 'format', 'status', 'severity', 'ruleId', 'unknownParam', '__proto__',
];
const PATH_VALUES = ['x', '%00', '%20', 'a'.repeat(300), '3f1c2a9e-8b7d-4c6e-9a1f-2b3c4d5e6f70', '..%2F..', '%FF', 'privilege-escalation-attempts', 'finance_reviewer', '%E2%80%AE', '0'];

type BodyMutation = (event: Record<string, unknown>, random: () => number) => { text?: string; bytes?: Buffer; headers?: Record<string, string>; label: string };

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const json = (value: unknown) => JSON.stringify(value);
const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

const BODY_MUTATIONS: BodyMutation[] = [
  (e) => ({ text: json(e), label: 'valid' }),
  (e) => ({ text: json({ events: [e, { ...e, resource: { type: 'invoice', id: 'other' } }] }), label: 'valid batch' }),
  (e) => {
    const [before, after] = json(e).split('invoice.update');
    return { bytes: Buffer.concat([Buffer.from(`${before}invoice.up`), Buffer.from([0xff]), Buffer.from(`date${after}`)]), label: 'invalid UTF-8 byte' };
  },
  (e) => {
    const [before, after] = json(e).split('INV-');
    return { bytes: Buffer.concat([Buffer.from(`${before}INV`), Buffer.from([0xc0, 0xaf]), Buffer.from(`-${after}`)]), label: 'overlong UTF-8' };
  },
  (e) => ({ bytes: Buffer.concat([Buffer.from(json(e).slice(0, -1)), Buffer.from(',"x":"\xe2\x82'.split('').map((c) => c.charCodeAt(0))), Buffer.from('"}')]), label: 'truncated UTF-8 sequence' }),
  (e) => ({ text: json(e).replace('"fuzzCase":', '"big":1e400,"fuzzCase":'), label: '1e400' }),
  (e) => ({ text: json(e).replace('"fuzzCase":', '"big":-1e400,"fuzzCase":'), label: '-1e400' }),
  (e) => ({ text: json(e).replace('"fuzzCase":', '"big":123456789012345678901234567890,"fuzzCase":'), label: 'unsafe integer' }),
  (e) => ({ text: json({ ...e, metadata: 'DEEP' }).replace('"DEEP"', deep(5000)), label: 'metadata nested 5000 deep' }),
  (e) => ({ text: json({ ...e, changes: { before: 'DEEP', after: null } }).replace('"DEEP"', deep(40)), label: 'changes nested 40 deep' }),
  (e) => ({ text: json(e).replace('"user-', '"\\ud800user-'), label: 'lone surrogate in a value' }),
  (e) => ({ text: json(e).replace('"fuzzCase"', '"\\udc00key"'), label: 'lone surrogate in a key' }),
  (e, r) => ({ text: json({ ...e, actor: { id: pick(r, ['   ', '\u0000', 'a\u0000b', '\t', 'a\nb', '\u0085', '\u00a0']), type: 'user' } }), label: 'bad actor.id' }),
  (e, r) => ({ text: json({ ...e, resource: { type: pick(r, [' ', 'a\u0000', '\u007f']), id: pick(r, ['x', ' \t', 'a\u001fb']) } }), label: 'bad resource' }),
  (e, r) => ({ text: json({ ...e, action: pick(r, [' ', 'a b', 'a\u0000', '', 'a..b']) }), label: 'bad action' }),
  (e) => ({ text: json(e), headers: { 'content-type': 'application/json; charset=latin1' }, label: 'charset latin1' }),
  (e) => ({ text: json(e), headers: { 'content-type': 'application/json; charset=ascii' }, label: 'charset ascii' }),
  (e) => ({ text: json(e), headers: { 'content-type': 'application/json; charset=utf-16' }, label: 'charset utf-16' }),
  (e) => ({ text: json(e), headers: { 'content-encoding': 'br2' }, label: 'unknown Content-Encoding' }),
  (e) => ({ text: json(e), headers: { 'content-encoding': 'gzip' }, label: 'gzip claimed, plain sent' }),
  () => ({ text: 'occurredAt=2026-11-26T09:15:00Z&actor[id]=alice&actor[type]=user&action=a&resource[type]=t&resource[id]=i&channel=ui', headers: { 'content-type': 'application/x-www-form-urlencoded' }, label: 'form body' }),
  (e) => ({ text: json(e), headers: { 'content-type': 'text/plain' }, label: 'text/plain' }),
  (e) => ({ text: json(e).slice(0, -7), label: 'truncated JSON' }),
  () => ({ text: '', label: 'empty body' }),
  () => ({ text: 'null', label: 'null' }),
  () => ({ text: '[]', label: 'empty array' }),
  () => ({ text: '"text"', label: 'a string' }),
  (e) => ({ text: json(e).replace('{', '{"__proto__":{"x":1},'), label: '__proto__ key' }),
  (e, r) => ({ text: json({ ...e, occurredAt: pick(r, ['2026-11-26', '0', '2026-11-26T09:15:60Z', '2026-11-26 09:15:00Z', '+002026-11-26T09:15:00Z']) }), label: 'bad occurredAt' }),
  (e) => ({ text: json({ ...e, id: '3F1C2A9E-8B7D-4C6E-9A1F-2B3C4D5E6F70' }), label: 'upper-case id' }),
  (e) => ({ text: json({ ...e, extra: 1 }), label: 'unknown field' }),
  (e) => ({ text: json({ ...e, resource: { type: 'invoice', id: 'x'.repeat(5000) } }), label: 'long identifier' }),
  (e) => ({ text: json({ ...e, name: 'r', permissions: ['audit:read'], grantee: 'g', granteeTenant: 'acme', expiresAt: '2026-12-01T00:00:00Z' }), label: 'mixed shapes' }),
];

/** `count` cases spread over `routes` (round-robin, so every route is hit), with a seeded random choice of mutation. */
export function generateCases(routes: FuzzRoute[], count: number, seed: number): FuzzCase[] {
  const random = seededRandom(seed);
  const cases: FuzzCase[] = [];
  for (let index = 0; index < count; index++) {
    const route = routes[index % routes.length];
    const path = route.path.replace(/:([A-Za-z]+)/g, () => pick(random, PATH_VALUES));
    const params: string[] = [];
    const paramCount = Math.floor(random() * 4);
    for (let i = 0; i < paramCount; i++) params.push(`${pick(random, QUERY_NAMES)}=${pick(random, QUERY_VALUES)}`);
    const url = params.length ? `${path}?${params.join('&')}` : path;
    const headers: Record<string, string> = { 'x-request-id': `fuzz-${seed}-${index}` };
    let body: Buffer | undefined;
    let mutation = params.length ? `query ${params.join('&')}` : 'no query';
    if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') {
      const made = pick(random, BODY_MUTATIONS)(validEvent(random, index), random);
      body = made.bytes ?? Buffer.from(made.text ?? '', 'utf8');
      Object.assign(headers, { 'content-type': 'application/json' }, made.headers);
      mutation = `${made.label}; ${mutation}`;
    }
    cases.push({ index, method: route.method, url, route, headers, body, mutation });
  }
  return cases;
}
