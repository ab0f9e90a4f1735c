/**
 * Compiles the TypeScript snippets of the documentation (```ts blocks of README.md and docs/*.md) with the
 * TypeScript compiler API, in one program, so a snippet that does not compile fails the suite with its
 * file and line.
 *
 * Conventions for doc authors:
 * - Import from `cdk-k8s-platform`, `cdk-k8s-platform/testing` or `cdk-k8s-platform/blueprints` as a user
 *   would; they are mapped to this repository's lib/ sources.
 * - A block holding only `import` lines is the file's prelude: its imports are prepended to every later
 *   block of the same file that has no import of its own.
 * - These names are declared for every snippet (a snippet may declare its own instead): `app` (aws-cdk-lib
 *   App), `stack` (aws-cdk-lib Stack), `k8sApp` (cdk8s App), `chart` (PlatformChart), `traits`
 *   (ClusterTraits), `cluster` (IPlatformCluster).
 * - Mark a block that must not be compiled (pseudo-code, a fragment of a larger file) ```ts nocompile.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export const ROOT = path.resolve(__dirname, '..', '..');
const SNIPPET_DIR = path.join(ROOT, 'test', 'docs', '__snippets__');

/** A markdown document to check. */
export interface MarkdownDoc {
  /** Path relative to the repository root, for messages. */
  readonly file: string;
  readonly text: string;
}

/** One ```ts block. */
export interface Snippet {
  readonly file: string;
  /** 1-based line of the first code line in the markdown file. */
  readonly line: number;
  readonly code: string;
  /** Imports prepended from the file's prelude. */
  readonly prelude: string;
  /** Path of the virtual .ts file. */
  readonly virtualPath: string;
}

/** A compile error, located in the markdown file. */
export interface SnippetError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const GLOBALS = `
declare const app: import('aws-cdk-lib').App;
declare const stack: import('aws-cdk-lib').Stack;
declare const k8sApp: import('cdk8s').App;
declare const chart: import('cdk-k8s-platform').PlatformChart;
declare const traits: import('cdk-k8s-platform').ClusterTraits;
declare const cluster: import('cdk-k8s-platform').IPlatformCluster;
`;
const GLOBALS_PATH = path.join(SNIPPET_DIR, 'globals.d.ts');

const FENCE = /^(\s*)```(\w+)?([^\n]*)$/;

/** The ```ts blocks of a markdown document, with their preludes. */
export function extractSnippets(doc: MarkdownDoc): Snippet[] {
  const lines = doc.text.split('\n');
  const snippets: Snippet[] = [];
  const prelude: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++]);
    const lang = (open[2] ?? '').toLowerCase();
    const info = open[3] ?? '';
    if ((lang === 'ts' || lang === 'typescript') && !/\bnocompile\b/.test(info)) {
      const indent = open[1].length;
      const code = body.map(l => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n');
      const statements = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022).statements;
      const hasImport = statements.some(st => ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st));
      const importOnly = hasImport && statements.every(st => ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st));
      const name = `${doc.file.replace(/[^\w]+/g, '_')}_L${i + 2}.ts`;
      snippets.push({
        file: doc.file,
        line: i + 2,
        code,
        prelude: hasImport ? '' : prelude.join('\n') + (prelude.length ? '\n' : ''),
        virtualPath: path.join(SNIPPET_DIR, name),
      });
      if (importOnly) prelude.push(code.trim());
    }
    i = j;
  }
  return snippets;
}

/** The documentation of this repository: README.md and docs/*.md (not the generated docs/api). */
export function repositoryDocs(): MarkdownDoc[] {
  const files = ['README.md', 'CONTRIBUTING.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`)];
  return files.map(file => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.dev.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT, undefined, configPath);
  return {
    ...parsed.options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    isolatedModules: false,
    types: ['jest', 'node'],
    baseUrl: ROOT,
    paths: {
      'cdk-k8s-platform': ['lib/index.ts'],
      'cdk-k8s-platform/testing': ['lib/testing/index.ts'],
      'cdk-k8s-platform/blueprints': ['lib/blueprints/index.ts'],
    },
  };
}

/** Type-checks all snippets in one program; returns the errors located in their markdown files. */
export function checkSnippets(snippets: readonly Snippet[]): SnippetError[] {
  const options = compilerOptions();
  const sources = new Map<string, string>([[GLOBALS_PATH, GLOBALS]]);
  for (const s of snippets) sources.set(s.virtualPath, `${s.prelude}${s.code}\nexport {};\n`);

  // Parse as tsc does: no parent pointers up front (the binder sets them), and in TypeScript files only the JSDoc
  // that can change a type error (@see/@link). The program parses thousands of declaration files: a third less work.
  const host = ts.createCompilerHost(options);
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = sources.get(path.resolve(fileName));
    return text !== undefined ? ts.createSourceFile(fileName, text, languageVersion, true) : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  };
  host.fileExists = f => sources.has(path.resolve(f)) || fileExists(f);
  host.readFile = f => sources.get(path.resolve(f)) ?? readFile(f);

  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  const errors: SnippetError[] = [];
  const global = program.getGlobalDiagnostics().concat(program.getOptionsDiagnostics());
  for (const d of global) errors.push({ file: '(compiler)', line: 0, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
  for (const s of snippets) {
    const sf = program.getSourceFile(s.virtualPath);
    if (!sf) {
      errors.push({ file: s.file, line: s.line, message: 'snippet was not compiled' });
      continue;
    }
    const preludeLines = s.prelude === '' ? 0 : s.prelude.split('\n').length - 1;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const at = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start).line : 0;
      const inPrelude = at < preludeLines;
      errors.push({
        file: s.file,
        line: inPrelude ? s.line : s.line + at - preludeLines,
        message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${inPrelude ? ' (in the prelude imports)' : ''}`,
      });
    }
  }
  return errors;
}

/** `file:line: message` lines. */
export function formatErrors(errors: readonly SnippetError[]): string {
  return errors.map(e => `${e.file}:${e.line}: ${e.message}`).join('\n');
}
