/*
 * Relative links of README.md, docs/*.md and examples/README.md point to files or folders that exist, and
 * `#anchors` into markdown files name a heading there.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './snippets';

const DOCS = ['README.md', 'CONTRIBUTING.md', 'examples/README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)];

function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
}

function links(file: string): Array<{ line: number; target: string }> {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, m => m.replace(/[^\n]/g, ' '));
  const out: Array<{ line: number; target: string }> = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/\]\(([^)\s]+)\)/g)) out.push({ line: i + 1, target: m[1] });
  });
  return out;
}

test.each(DOCS)('links of %s resolve', (file) => {
  const broken: string[] = [];
  for (const { line, target } of links(file)) {
    if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
    const [rel, anchor] = target.split('#');
    const resolved = rel === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), rel);
    if (!fs.existsSync(resolved)) {
      broken.push(`${file}:${line}: ${target} (no such file)`);
    } else if (anchor && resolved.endsWith('.md')) {
      const headings = fs.readFileSync(resolved, 'utf8').split('\n').filter(h => /^#+ /.test(h)).map(h => slug(h.replace(/^#+ /, '')));
      if (!headings.includes(anchor)) broken.push(`${file}:${line}: ${target} (no heading #${anchor})`);
    }
  }
  expect(broken).toEqual([]);
});
