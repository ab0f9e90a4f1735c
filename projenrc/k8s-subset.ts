/**
 * Writes the Kubernetes L1 classes the library uses, and nothing else, as lib/workloads/private/imports/k8s.js
 * (with its k8s.d.ts). The library's objects are cdk8s-plus-28's generated `k8s` classes (KubeDeployment,
 * KubeService, ...), but that module holds every Kubernetes 1.28 kind: 2.7 MB that Node reads and compiles in
 * ~130 ms on every synth, more than a tenth of a small app's whole synthesis (docs/benchmarks.md). The subset is
 * the same code: the statements of cdk8s-plus-28/lib/imports/k8s.js that declare what lib/ uses as a value, and
 * all they call, copied in their original order, with two rewrites. The generated code drops undefined fields with
 * `Object.entries(o).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})`, which copies
 * the object once per field: quadratic, and a quarter of a 10,000-service synth went to collecting that garbage.
 * Each such call (found in the syntax tree, in its two forms) becomes `definedEntries(o)` (or
 * `definedEntries(o, v => v?.value)`), one loop with the same result: same keys in the same order, including a
 * `__proto__` key (test/build/k8s-subset.test.ts compares the two on random objects). And each kind's `toJson()`
 * renders its object with `apiObjectJson(this)` (lib/workloads/private/api-object-json.ts) instead of
 * `super.toJson()`: the same object in one pass over the values, where cdk8s's resolver and sanitizer copy every
 * value twice (test/workloads/api-object-json.test.ts compares the two).
 *
 * Both inputs are read with the TypeScript parser:
 * - the roots: every `k8s.Name` used as a value in lib/ (a property access; uses as a type are qualified names,
 *   which need no code);
 * - the closure: each top-level statement of k8s.js belongs to the declaration before it (the `exports.X = X`,
 *   the RTTI and GVK assignments after a class), and a declaration needs every other declaration it names.
 *
 * The .d.ts re-exports the types of the whole module and the values of the subset, so a value use of a kind not
 * in the subset is a compile error, and test/build/k8s-subset.test.ts fails until the files are written again:
 * `npx tsx projenrc/k8s-subset.ts`. The package's LICENSE and NOTICE (Apache-2.0) are copied next to them.
 *
 * The objects the library creates are therefore instances of these copies, not of the app's cdk8s-plus-28 classes:
 * `x instanceof kplus.k8s.KubeDeployment` is false for them (README: identify objects with `ApiObject.isApiObject`
 * and their `kind`).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The module the subset is cut from (types are re-exported from it). */
export const K8S_MODULE = 'cdk8s-plus-28/lib/imports/k8s';
/** The namespace name the library imports the L1 classes under. */
const NAMESPACE = 'k8s';
const ROOT = path.resolve(__dirname, '..');
export const SUBSET_DIR = path.join(ROOT, 'lib', 'workloads', 'private', 'imports');

/** The names lib/ uses as values of the `k8s` namespace (`k8s.KubeDeployment`, `k8s.IntOrString.fromNumber`). */
export function valueRoots(files: readonly string[]): Set<string> {
  const roots = new Set<string>();
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf-8');
    if (!text.includes(`${NAMESPACE}.`)) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === NAMESPACE) {
        roots.add(node.name.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return roots;
}

/** Every .ts source under a directory, except declaration files. */
export function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The name a top-level statement declares (class, function, `var X;` of an enum), if any. */
function declaredName(s: ts.Statement): string | undefined {
  if ((ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) && s.name) return s.name.text;
  if (ts.isVariableStatement(s) && s.declarationList.declarations.length === 1) {
    const d = s.declarationList.declarations[0];
    if (ts.isIdentifier(d.name) && !d.initializer) return d.name.text;
  }
  return undefined;
}

/** `exports.A = exports.B = ... = void 0;`: the list of names, written again for the subset. */
function isExportsList(s: ts.Statement): boolean {
  if (!ts.isExpressionStatement(s)) return false;
  let e: ts.Expression = s.expression;
  while (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) e = e.right;
  return ts.isVoidExpression(e);
}

/** The two arrow functions of the generated filter, and the mapping each applies to a kept value. */
const FILTERS = new Map([
  ['(r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] })', ''],
  ['(r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1]?.value })', ', v => v?.value'],
]);

/** The linear replacement of the filter, written once at the top of the subset. */
const DEFINED_ENTRIES = `/**
 * The own fields of \`obj\` whose value is not undefined, each mapped by \`f\`: what the generated
 * \`Object.entries(obj).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: f(i[1]) }), {})\` returns,
 * in one pass instead of one copy per field.
 */
function definedEntries(obj, f) {
    const result = {};
    for (const [key, value] of Object.entries(obj)) {
        if (value === undefined) continue;
        const v = f === undefined ? value : f(value);
        if (key === '__proto__') Object.defineProperty(result, key, { value: v, enumerable: true, writable: true, configurable: true });
        else result[key] = v;
    }
    return result;
}`;

/** `Object.entries(x).reduce(<filter>, {})`: the text of `x` and the mapping, if `node` is the generated filter. */
function filterCall(node: ts.Node, source: ts.SourceFile): { readonly target: ts.Node; readonly map: string } | undefined {
  if (!ts.isCallExpression(node) || node.arguments.length !== 2 || !ts.isPropertyAccessExpression(node.expression)) return undefined;
  const reduce = node.expression;
  const [fn, init] = node.arguments;
  const map = FILTERS.get(fn.getText(source));
  if (reduce.name.text !== 'reduce' || map === undefined || !ts.isObjectLiteralExpression(init) || init.properties.length > 0) return undefined;
  const entries = reduce.expression;
  if (!ts.isCallExpression(entries) || entries.expression.getText(source) !== 'Object.entries' || entries.arguments.length !== 1) return undefined;
  return { target: entries.arguments[0], map };
}

/** The module of `apiObjectJson`, as the subset requires it (from lib/workloads/private/imports/). */
const API_OBJECT_JSON = 'const api_object_json_1 = require("../api-object-json");';

/** `super.toJson()`: what cdk8s's ApiObject renders, before a kind converts it to Kubernetes names. */
function isSuperToJson(node: ts.Node): boolean {
  return ts.isCallExpression(node) && node.arguments.length === 0 && ts.isPropertyAccessExpression(node.expression)
    && node.expression.expression.kind === ts.SyntaxKind.SuperKeyword && node.expression.name.text === 'toJson';
}

/**
 * A statement's text with every generated filter replaced by {@link DEFINED_ENTRIES}, and every `super.toJson()`
 * by `apiObjectJson(this)`; a filter inside a filter's argument is refused.
 */
function rewriteStatement(statement: ts.Statement, source: ts.SourceFile): string {
  const start = statement.getStart(source);
  const edits: Array<{ readonly from: number; readonly to: number; readonly text: string }> = [];
  const edit = (node: ts.Node, text: string) => edits.push({ from: node.getStart(source) - start, to: node.getEnd() - start, text });
  const visit = (node: ts.Node): void => {
    if (isSuperToJson(node)) {
      edit(node, '(0, api_object_json_1.apiObjectJson)(this)');
      return;
    }
    const call = filterCall(node, source);
    if (call === undefined) {
      ts.forEachChild(node, visit);
      return;
    }
    const nested = (n: ts.Node): boolean => filterCall(n, source) !== undefined || ts.forEachChild(n, nested) === true;
    if (nested(call.target)) throw new Error(`a filter inside a filter's argument: ${node.getText(source)}`);
    edit(node, `definedEntries(${call.target.getText(source)}${call.map})`);
  };
  visit(statement);
  let text = statement.getText(source);
  for (const e of edits.reverse()) text = text.slice(0, e.from) + e.text + text.slice(e.to);
  return text;
}

/** Every generated filter left in `js` (a form {@link FILTERS} does not know would stay quadratic). */
function remainingFilters(js: string): string[] {
  const source = ts.createSourceFile('subset.js', js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'reduce'
      && ts.isCallExpression(node.expression.expression) && node.expression.expression.expression.getText(source) === 'Object.entries') {
      found.push(node.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The names `statements` assign to `exports.<name>` (classes, functions, enums). */
function exportsAssigned(statements: readonly ts.Statement[]): string[] {
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)
      && ts.isIdentifier(node.left.expression) && node.left.expression.text === 'exports') {
      names.push(node.left.name.text);
    }
    ts.forEachChild(node, visit);
  };
  statements.forEach(visit);
  return [...new Set(names)].sort();
}

function identifiersIn(node: ts.Node, into: Set<string>): void {
  if (ts.isIdentifier(node)) into.add(node.text);
  ts.forEachChild(node, child => identifiersIn(child, into));
}

/** What a subset is made of. */
export interface K8sSubset {
  /** The JavaScript module. */
  readonly js: string;
  /** Its declarations. */
  readonly dts: string;
  /** The values the declarations export: lib/'s roots, sorted. */
  readonly values: readonly string[];
}

/**
 * The statements of `k8sJs` that declare `roots` and everything they name, in their original order.
 * @param version the cdk8s-plus-28 version, written in the header
 */
export function k8sSubset(k8sJs: string, roots: ReadonlySet<string>, version: string): K8sSubset {
  const source = ts.createSourceFile('k8s.js', k8sJs, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const prelude: ts.Statement[] = [];
  const owned = new Map<string, ts.Statement[]>();
  let owner: string | undefined;
  for (const s of source.statements) {
    const name = declaredName(s);
    if (name !== undefined) {
      owner = name;
      owned.set(name, []);
    }
    if (owner === undefined) {
      if (!isExportsList(s)) prelude.push(s);
    } else {
      owned.get(owner)!.push(s);
    }
  }
  const missing = [...roots].filter(r => !owned.has(r));
  if (missing.length > 0) throw new Error(`lib/ uses ${missing.map(m => `k8s.${m}`).join(', ')}, which ${K8S_MODULE} does not declare`);

  const needed = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    const ids = new Set<string>();
    for (const s of owned.get(name)!) identifiersIn(s, ids);
    for (const id of ids) if (owned.has(id) && !needed.has(id)) queue.push(id);
  }

  const values = [...roots].sort();
  const kept = [...owned].filter(([name]) => needed.has(name)).flatMap(([, statements]) => statements);
  const exported = exportsAssigned(kept);
  const text = (s: ts.Statement) => s.getText(source);
  const body = kept.map(st => rewriteStatement(st, source));
  const header = [
    `// Generated by projenrc/k8s-subset.ts from ${K8S_MODULE}.js of cdk8s-plus-28 ${version}: the declarations`,
    '// lib/ uses and all they call, the undefined-field filter made linear, each object rendered by apiObjectJson.',
    '// Do not edit; run `npx tsx projenrc/k8s-subset.ts`.',
  ];
  const js = [
    ...header,
    ...prelude.map(text),
    API_OBJECT_JSON,
    DEFINED_ENTRIES,
    `${exported.map(v => `exports.${v}`).join(' = ')} = void 0;`,
    ...body,
    '',
  ].join('\n');
  const left = remainingFilters(body.join('\n'));
  if (left.length > 0) throw new Error(`a generated filter of a form projenrc/k8s-subset.ts does not rewrite (add it to FILTERS): ${left[0]}`);
  const dts = [
    ...header,
    `export type * from '${K8S_MODULE}';`,
    `export { ${values.join(', ')} } from '${K8S_MODULE}';`,
    '',
  ].join('\n');
  return { js, dts, values };
}

/** The files of lib/workloads/private/imports/ for the installed cdk8s-plus-28 and the sources under lib/: name → content. */
export function currentSubsetFiles(): Map<string, string> {
  const pkg = require.resolve('cdk8s-plus-28/package.json', { paths: [ROOT] });
  const dir = path.dirname(pkg);
  const version = JSON.parse(fs.readFileSync(pkg, 'utf-8')).version as string;
  const k8sJs = fs.readFileSync(path.join(dir, 'lib', 'imports', 'k8s.js'), 'utf-8');
  const subset = k8sSubset(k8sJs, valueRoots(sourcesUnder(path.join(ROOT, 'lib'))), version);
  return new Map([
    ['k8s.js', subset.js],
    ['k8s.d.ts', subset.dts],
    ['LICENSE', fs.readFileSync(path.join(dir, 'LICENSE'), 'utf-8')],
    ['NOTICE', fs.readFileSync(path.join(dir, 'NOTICE'), 'utf-8')],
  ]);
}

if (require.main === module) {
  fs.mkdirSync(SUBSET_DIR, { recursive: true });
  const files = currentSubsetFiles();
  for (const name of fs.readdirSync(SUBSET_DIR)) if (!files.has(name)) fs.rmSync(path.join(SUBSET_DIR, name));
  for (const [name, content] of files) fs.writeFileSync(path.join(SUBSET_DIR, name), content);
  process.stdout.write(`wrote ${path.relative(ROOT, SUBSET_DIR)}: k8s.js, k8s.d.ts, and cdk8s-plus-28's LICENSE and NOTICE\n`);
}
