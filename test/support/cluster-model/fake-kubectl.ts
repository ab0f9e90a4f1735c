/**
 * `kubectl` over a {@link ClusterModel}: the subset of kubectl 1.33 the library's node scripts use, with
 * kubectl's output and errors. Anything else fails loudly (exit 2), so a script that starts using another
 * command cannot pass a test by accident.
 *
 * - `apply --server-side --field-manager=M [--force-conflicts] -f FILE` (multi-document YAML; every object is
 *   tried, the errors are printed and the exit status is 1, as kubectl does)
 * - `get TYPE [NAME] [-n NS | -A] [-l SELECTOR] [--field-selector metadata.name=N] [--ignore-not-found]
 *   [-o name | -o jsonpath=TEMPLATE]`
 * - `delete TYPE [NAME] [-n NS] [-l SELECTOR] [--field-selector metadata.name=N] [--ignore-not-found]
 *   [--wait=false] [--cascade=orphan]`
 * - `api-resources [--namespaced=true|false] -o name` (`plural.group`)
 * - `get TYPE,TYPE,... -n NS -o jsonpath=...` (one List of every type's objects)
 * - global `--kubeconfig PATH`
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ClusterModel, ModelObject, ResourceType } from './cluster-model';

/** What a kubectl call printed and returned. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Args {
  readonly positional: string[];
  readonly flags: Map<string, string>;
}

const BOOLEAN_FLAGS = new Set(['--server-side', '--force-conflicts', '--ignore-not-found', '-A', '--all-namespaces']);

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) { positional.push(a); continue; }
    const eq = a.indexOf('=');
    if (eq > 0) { flags.set(a.slice(0, eq), a.slice(eq + 1)); continue; }
    if (BOOLEAN_FLAGS.has(a)) { flags.set(a, 'true'); continue; }
    if (i + 1 >= argv.length) throw new Error(`error: flag needs an argument: ${a}`);
    flags.set(a, argv[++i]);
  }
  return { positional, flags };
}

const KNOWN_FLAGS: Record<string, string[]> = {
  'apply': ['--server-side', '--force-conflicts', '--field-manager', '-f', '--kubeconfig'],
  'get': ['-n', '--namespace', '-A', '--all-namespaces', '-l', '--selector', '--field-selector', '--ignore-not-found', '-o', '--output', '--kubeconfig'],
  'delete': ['-n', '--namespace', '-l', '--selector', '--field-selector', '--ignore-not-found', '--wait', '--cascade', '--kubeconfig'],
  // what the previous version's label-based prune called (kept to show the model catches its data loss)
  'api-resources': ['--verbs', '--namespaced', '-o', '--kubeconfig'],
};

/** Runs one kubectl command line against the model. */
export function kubectl(model: ClusterModel, argv: string[], cwd: string): KubectlResult {
  try {
    const args = parseArgs(argv);
    const verb = args.positional[0];
    const known = KNOWN_FLAGS[verb];
    if (!known) return unsupported(argv);
    const unknown = [...args.flags.keys()].filter(f => !known.includes(f));
    if (unknown.length > 0) return unsupported(argv);
    if (verb === 'apply') return apply(model, args, cwd);
    if (verb === 'get') return get(model, args);
    if (verb === 'api-resources') return apiResources(model, args);
    return del(model, args);
  } catch (e) {
    return { code: 1, stdout: '', stderr: `${(e as Error).message}\n` };
  }
}

function apiResources(model: ClusterModel, args: Args): KubectlResult {
  const namespaced = args.flags.get('--namespaced');
  const types = model.types.filter(t => namespaced === undefined || String(t.namespaced) === namespaced);
  return { code: 0, stdout: types.map(t => `${t.plural}${t.group ? `.${t.group}` : ''}\n`).join(''), stderr: '' };
}

function unsupported(argv: string[]): KubectlResult {
  return { code: 2, stdout: '', stderr: `fake kubectl: unsupported command: kubectl ${argv.join(' ')}\n` };
}

function apply(model: ClusterModel, args: Args, cwd: string): KubectlResult {
  if (args.flags.get('--server-side') !== 'true') return unsupported(['apply', '(client-side)']);
  const manager = args.flags.get('--field-manager');
  if (!manager) throw new Error('error: --field-manager is required (the library always names itself)');
  const file = args.flags.get('-f')!;
  const out: string[] = [];
  const errors: string[] = [];
  for (const obj of parseObjects(path.resolve(cwd, file))) {
    try {
      model.apply(obj, manager, false);
      out.push(`${typeName(model.typeOf(obj.apiVersion, obj.kind)!)}/${obj.metadata.name} serverside-applied`);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  model.reconcile(); // the controllers react to the whole batch
  return { code: errors.length > 0 ? 1 : 0, stdout: out.map(l => `${l}\n`).join(''), stderr: errors.map(l => `${l}\n`).join('') };
}

const parsed = new Map<string, string>();
/** The objects of a YAML file (parsed once per content: the same delivery is applied again and again). */
function parseObjects(file: string): Array<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = fs.readFileSync(file, 'utf8');
  let json = parsed.get(text);
  if (json === undefined) {
    const docs = parseAllDocuments(text);
    const bad = docs.find(d => d.errors.length > 0);
    if (bad) throw new Error(`error: error parsing ${file}: ${bad.errors[0].message}`);
    json = JSON.stringify(docs.map(d => d.toJS()).filter(Boolean));
    parsed.set(text, json);
  }
  return JSON.parse(json);
}

function typeName(type: ResourceType): string {
  return type.group ? `${type.kind.toLowerCase()}.${type.group}` : type.kind.toLowerCase();
}

function resolve(model: ClusterModel, arg: string | undefined): ResourceType {
  if (!arg) throw new Error('error: You must specify the type of resource to get.');
  const type = model.resolveType(arg);
  if (!type) throw new Error(`error: the server doesn't have a resource type "${arg}"`);
  return type;
}

/** The objects a get or delete selects. */
function select(model: ClusterModel, type: ResourceType, args: Args): { objects: ModelObject[]; name?: string; namespace?: string } {
  const name = args.positional[2];
  const all = args.flags.get('-A') === 'true' || args.flags.get('--all-namespaces') === 'true';
  const namespace = all ? undefined : (args.flags.get('-n') ?? args.flags.get('--namespace') ?? 'default');
  const selector = args.flags.get('-l') ?? args.flags.get('--selector');
  const fieldSelector = args.flags.get('--field-selector');
  if (name && (selector || fieldSelector)) throw new Error('error: name cannot be provided when a selector is specified');
  let objects = model.list(type, type.namespaced ? namespace : undefined);
  if (name) objects = objects.filter(o => o.metadata.name === name);
  if (selector) objects = objects.filter(o => matchesSelector(o, selector));
  if (fieldSelector) {
    const m = /^metadata\.name=(.+)$/.exec(fieldSelector);
    if (!m) throw new Error(`fake kubectl: unsupported field selector ${fieldSelector}`);
    objects = objects.filter(o => o.metadata.name === m[1]);
  }
  return { objects, name, namespace };
}

function matchesSelector(o: ModelObject, selector: string): boolean {
  const labels = o.metadata.labels ?? {};
  return selector.split(',').every(term => {
    const ne = /^([^!=]+)!=(.*)$/.exec(term);
    if (ne) return labels[ne[1]] !== ne[2];
    const eq = /^([^=]+)==?(.*)$/.exec(term);
    if (eq) return labels[eq[1]] === eq[2];
    if (term.startsWith('!')) return !(term.slice(1) in labels);
    return term in labels;
  });
}

function notFound(type: ResourceType, name: string): string {
  return `Error from server (NotFound): ${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`;
}

function get(model: ClusterModel, args: Args): KubectlResult {
  const typeArgs = (args.positional[1] ?? '').split(',');
  if (typeArgs.length > 1) return getMany(model, typeArgs, args);
  const type = resolve(model, args.positional[1]);
  const { objects, name } = select(model, type, args);
  const ignore = args.flags.get('--ignore-not-found') === 'true';
  if (name && objects.length === 0 && !ignore) throw new Error(notFound(type, name));
  const output = args.flags.get('-o') ?? args.flags.get('--output');
  if (output === 'name') return { code: 0, stdout: objects.map(o => `${typeName(type)}/${o.metadata.name}\n`).join(''), stderr: '' };
  if (output?.startsWith('jsonpath=')) {
    const data = name ? objects[0] : { kind: 'List', items: objects };
    return { code: 0, stdout: name && !objects[0] ? '' : jsonpath(output.slice('jsonpath='.length), data), stderr: '' };
  }
  throw new Error(`fake kubectl: unsupported output ${output}`);
}

/** `get a,b,c`: one List of every type's objects (names not allowed, as kubectl). */
function getMany(model: ClusterModel, typeArgs: string[], args: Args): KubectlResult {
  if (args.positional[2]) throw new Error('error: arguments in resource/name form must have a single resource and name');
  const objects = typeArgs.flatMap(arg => select(model, resolve(model, arg), args).objects);
  const output = args.flags.get('-o') ?? args.flags.get('--output');
  if (!output?.startsWith('jsonpath=')) throw new Error(`fake kubectl: unsupported output ${output}`);
  return { code: 0, stdout: jsonpath(output.slice('jsonpath='.length), { kind: 'List', items: objects }), stderr: '' };
}

function del(model: ClusterModel, args: Args): KubectlResult {
  const type = resolve(model, args.positional[1]);
  const { objects, name } = select(model, type, args);
  const ignore = args.flags.get('--ignore-not-found') === 'true';
  if (name && objects.length === 0) {
    return ignore ? { code: 0, stdout: '', stderr: '' } : { code: 1, stdout: '', stderr: `${notFound(type, name)}\n` };
  }
  if (objects.length === 0) return { code: 0, stdout: '', stderr: 'No resources found\n' };
  const cascade = args.flags.get('--cascade') ?? 'background';
  if (!['background', 'foreground', 'orphan'].includes(cascade)) throw new Error(`error: invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan".`);
  for (const o of objects) model.delete(o.kind, o.metadata.namespace, o.metadata.name, 'kubectl', cascade === 'orphan');
  return { code: 0, stdout: objects.map(o => `${typeName(type)} "${o.metadata.name}" deleted\n`).join(''), stderr: '' };
}

/**
 * kubectl's JSONPath, the part scripts use: `{.a.b}`, `{.a.b\.c}` (escaped dot), `{range .items[*]}...{end}`,
 * `{"literal"}` with `\n` and `\t`, and plain text. A missing field prints nothing.
 */
export function jsonpath(template: string, data: unknown): string {
  const tokens = [...template.matchAll(/\{((?:[^}\\]|\\.)*)\}|([^{]+)/g)].map(m => (m[1] !== undefined ? { expr: m[1] } : { text: m[2] }));
  let pos = 0;
  const run = (scope: unknown, stopAtEnd: boolean): string => {
    let out = '';
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if ('text' in t) { out += t.text; continue; }
      const expr = t.expr!.trim();
      if (expr === 'end') {
        if (!stopAtEnd) throw new Error('jsonpath: unexpected {end}');
        return out;
      }
      if (expr.startsWith('range ')) {
        const items = evaluate(expr.slice(6).trim(), scope);
        const start = pos;
        let body = '';
        for (const item of Array.isArray(items) ? items : []) { pos = start; body += run(item, true); }
        if (!Array.isArray(items) || items.length === 0) { pos = start; skipToEnd(); }
        out += body;
        continue;
      }
      if (expr.startsWith('"')) { out += JSON.parse(expr); continue; }
      const v = evaluate(expr, scope);
      out += v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    if (stopAtEnd) throw new Error('jsonpath: {range} without {end}');
    return out;
  };
  const skipToEnd = () => {
    let depth = 1;
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if ('expr' in t && t.expr!.trim().startsWith('range ')) depth++;
      if ('expr' in t && t.expr!.trim() === 'end' && --depth === 0) return;
    }
  };
  return run(data, false);
}

function evaluate(expr: string, scope: unknown): unknown {
  if (!expr.startsWith('.')) throw new Error(`fake kubectl: unsupported jsonpath ${expr}`);
  const parts = expr.slice(1).split(/(?<!\\)\./).filter(p => p !== '').map(p => p.replace(/\\\./g, '.'));
  let cur: unknown = scope;
  for (const part of parts) {
    const m = /^([^[]*)(?:\[(\*|\d+)\])?$/.exec(part)!;
    if (m[1]) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[m[1]] : undefined;
    if (m[2] === '*' && !Array.isArray(cur)) cur = [];
    if (m[2] !== undefined && m[2] !== '*') cur = Array.isArray(cur) ? cur[Number(m[2])] : undefined;
  }
  return cur;
}
