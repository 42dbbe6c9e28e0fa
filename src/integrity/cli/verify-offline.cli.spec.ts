import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { keyIdOf, signText } from '../signing/ed25519';
import { runVerifyCli } from './verify-offline.cli';

function run(args: string[]): { code: number; err: string } {
  let err = '';
  const code = runVerifyCli(args, () => undefined, (t) => (err += t));
  return { code, err };
}

describe('verify CLI usage', () => {
  it('exits 2 naming the missing options when --export, --checkpoints or --public-key is absent', () => {
    expect(run(['--export', 'e.ndjson'])).toEqual({ code: 2, err: expect.stringContaining('--export, --checkpoints and at least one --public-key are required') });
  });

  it('exits 2 on an unknown option, and on --report without --evidence', () => {
    expect(run(['--reports', 'r.pdf']).code).toBe(2);
    expect(run(['--report', 'r.pdf', '--public-key', 'k.pem'])).toEqual({ code: 2, err: expect.stringContaining('--report and --evidence go together') });
  });

  it('exits 2 naming the line when the export is not NDJSON, and when a key file holds no PEM public key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-cli-'));
    try {
      fs.writeFileSync(path.join(dir, 'e.ndjson'), '{"sequence":0}\nnot json\n');
      fs.writeFileSync(path.join(dir, 'c.json'), '{"items":[]}');
      fs.writeFileSync(path.join(dir, 'k.pem'), 'no key here');
      expect(run(['--export', path.join(dir, 'e.ndjson'), '--checkpoints', path.join(dir, 'c.json'), '--public-key', path.join(dir, 'k.pem')])).toEqual({ code: 2, err: expect.stringContaining('no PEM public key') });
      fs.writeFileSync(path.join(dir, 'k.pem'), '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n');
      expect(run(['--export', path.join(dir, 'e.ndjson'), '--checkpoints', path.join(dir, 'c.json'), '--public-key', path.join(dir, 'k.pem')])).toEqual({ code: 2, err: expect.stringContaining('line 2: not JSON') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('verify CLI: a report file against its evidence (--report, --evidence)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const runOut = (args: string[]) => {
    let out = '';
    let err = '';
    const code = runVerifyCli(args, (t) => (out += t), (t) => (err += t));
    return { code, out, err };
  };
  const givenReport = (content: string, signWith = privateKey, keyId = keyIdOf(publicKey)) => {
    fs.writeFileSync(file('report.csv'), content);
    const fileSha256 = createHash('sha256').update(content).digest('hex');
    const evidence = { tenantId: 'acme', headSequence: 41, headHash: 'ab'.repeat(32), fileSha256, signature: { alg: 'Ed25519', keyId, value: signText(signWith, fileSha256) } };
    fs.writeFileSync(file('report.json'), JSON.stringify({ id: 'r1', status: 'ready', evidence }));
    return evidence;
  };
  const args = () => ['--report', file('report.csv'), '--evidence', file('report.json'), '--public-key', file('key.pem')];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-report-'));
    fs.writeFileSync(file('key.pem'), publicKey.export({ type: 'spki', format: 'pem' }) as string);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exit 0 and VALID for the file the key signed (the body of GET /v1/reports/{id} as evidence)', () => {
    givenReport('id,action\r\n1,invoice.update\r\n');
    const result = runOut(args());
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('VALID: the report is the one the service signed') });
    expect(result.out).toContain('not checked (no --export)');
  });

  it('exit 1 when one byte of the file changed, naming the hash mismatch', () => {
    givenReport('id,action\r\n1,invoice.update\r\n');
    fs.writeFileSync(file('report.csv'), 'id,action\r\n1,invoice.delete\r\n');
    expect(runOut(args())).toMatchObject({ code: 1, out: expect.stringContaining('does NOT match the evidence') });
  });

  it('exit 1 when the evidence names the altered file\'s hash but keeps the old signature', () => {
    const evidence = givenReport('original');
    fs.writeFileSync(file('report.csv'), 'forged');
    const forged = { ...evidence, fileSha256: createHash('sha256').update('forged').digest('hex') };
    fs.writeFileSync(file('report.json'), JSON.stringify({ evidence: forged }));
    expect(runOut(args())).toMatchObject({ code: 1, out: expect.stringContaining('the signature does not verify') });
  });

  it('exit 1 when signed by a key that is not among the given public keys', () => {
    givenReport('content', other.privateKey, keyIdOf(other.publicKey));
    expect(runOut(args())).toMatchObject({ code: 1, out: expect.stringContaining(`no public key with id ${keyIdOf(other.publicKey)}`) });
  });
});
