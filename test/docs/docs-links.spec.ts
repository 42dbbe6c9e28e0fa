import * as fs from 'node:fs';
import * as path from 'node:path';
import { API_DESCRIPTION } from '../../src/http/configure-app';

const ROOT = path.resolve(__dirname, '..', '..');

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

const DOCS = [path.join(ROOT, 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))];

/** Relative link targets of a markdown file (external URLs and in-page anchors left out). */
function relativeLinks(file: string): string[] {
  // Code blocks and spans are not links, even when they look like `[a](b)`.
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^(https?:|mailto:|#)/.test(target));
}

describe('documentation a user finds in a clone of the repository', () => {
  it.each(DOCS.map((f) => [path.relative(ROOT, f), f]))('%s links only to files inside the repository that exist', (_name, file) => {
    const broken = relativeLinks(file)
      .map((target) => ({ target, resolved: path.resolve(path.dirname(file), target.split('#')[0]) }))
      .filter(({ resolved }) => !resolved.startsWith(ROOT + path.sep) || !fs.existsSync(resolved))
      .map(({ target }) => target);
    expect(broken).toEqual([]);
  });

  it('jest.config.js cites only documents that exist', () => {
    const cited = [...fs.readFileSync(path.join(ROOT, 'jest.config.js'), 'utf8').matchAll(/[\w./-]+\.md\b/g)].map((m) => m[0]);
    expect(cited.filter((name) => !fs.existsSync(path.join(ROOT, name)))).toEqual([]);
  });

  it.each(['compliance reports', 'monitoring rules', 'alerts', 'webhooks', 'checkpoints', 'retention'])(
    'the README and the OpenAPI description present %s as built, and their "not built yet" lists do not name it',
    (capability) => {
      const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
      const notBuilt = (text: string) => {
        const at = text.indexOf('Not built yet');
        return at >= 0 ? text.slice(at, text.indexOf('\n\n', at)).replace(/\s+/g, ' ') : '';
      };
      const intro = (text: string) => text.slice(0, text.indexOf('Not built yet') >= 0 ? text.indexOf('Not built yet') : undefined).replace(/\s+/g, ' ');
      expect(notBuilt(readme)).not.toContain(capability);
      expect(notBuilt(API_DESCRIPTION)).not.toContain(capability);
      expect(intro(readme).slice(0, 2000)).toContain(capability);
      expect(API_DESCRIPTION.replace(/\s+/g, ' ')).toContain(capability);
    },
  );
});
