import { runCli } from './cli';

describe('compliance-audit-trail command', () => {
  function run(...argv: string[]) {
    let out = '';
    let err = '';
    const code = runCli(argv, (text) => (out += text), (text) => (err += text));
    return { code, out, err };
  }

  it('hands "verify" and its options to the offline verifier', () => {
    const help = run('verify', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--export/);
    expect(run('verify').code).toBe(2);
  });

  it('answers usage for no command (exit 2) and for --help (exit 0), and refuses an unknown command', () => {
    expect(run()).toMatchObject({ code: 2, out: expect.stringMatching(/^usage: compliance-audit-trail verify/) });
    expect(run('--help')).toMatchObject({ code: 0 });
    expect(run('delete-everything')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "delete-everything"/) });
  });
});
