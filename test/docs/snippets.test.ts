/*
 * Every ```ts block of README.md and docs/*.md compiles against the library (see snippets.ts for the
 * conventions). One TypeScript program checks them all, plus a fixture that proves a broken snippet fails
 * with its markdown file and line.
 */
import { checkSnippets, extractSnippets, formatErrors, MarkdownDoc, repositoryDocs, Snippet, SnippetError } from './snippets';

const FIXTURE: MarkdownDoc = {
  file: 'fixture.md',
  text: [
    '# Fixture', // 1
    '', // 2
    '```ts', // 3
    "import { WebService } from 'cdk-k8s-platform';", // 4
    '```', // 5
    '', // 6
    '```ts', // 7
    "new WebService(chart, 'web', {", // 8
    "  image: 'shop/web:1.0.0',", // 9
    '  replicaz: 2,', // 10: not a prop
    '});', // 11
    '```', // 12
    '', // 13
    '```ts nocompile', // 14
    'this is not TypeScript', // 15
    '```', // 16
    '```sh', // 17
    'npm test', // 18
    '```', // 19
  ].join('\n'),
};

describe('documentation snippets', () => {
  let docs: MarkdownDoc[];
  let snippets: Snippet[];
  let errors: SnippetError[];

  beforeAll(() => {
    docs = repositoryDocs();
    snippets = [...docs, FIXTURE].flatMap(extractSnippets);
    errors = checkSnippets(snippets);
  }, 120_000);

  test('README.md and docs/ have TypeScript snippets, the README a workload example among them', () => {
    const files = new Set(snippets.map(s => s.file));
    expect(files).toContain('README.md');
    expect(files).toContain('docs/workloads.md');
    expect(snippets.some(s => s.file === 'README.md' && /new WebService\(/.test(s.code))).toBe(true);
  });

  test('every snippet compiles', () => {
    const real = errors.filter(e => e.file !== 'fixture.md');
    if (real.length > 0) throw new Error(`documentation snippets do not compile:\n${formatErrors(real)}`);
  });

  test('a broken snippet fails with its markdown file and line; nocompile and other languages are skipped', () => {
    const fixture = errors.filter(e => e.file === 'fixture.md');
    expect(fixture).toEqual([expect.objectContaining({ file: 'fixture.md', line: 10, message: expect.stringMatching(/TS\d+: .*replicaz/) })]);
    const fixtureSnippets = snippets.filter(s => s.file === 'fixture.md');
    expect(fixtureSnippets.map(s => s.line)).toEqual([4, 8]);
    // the second block has no import: the first block is its prelude
    expect(fixtureSnippets[1].prelude).toContain("import { WebService } from 'cdk-k8s-platform';");
  });
});
