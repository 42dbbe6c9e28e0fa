import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

  it('exits 2 on an unknown option', () => {
    expect(run(['--report', 'r.pdf']).code).toBe(2);
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
