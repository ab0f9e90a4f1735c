import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as full from 'cdk8s-plus-28/lib/imports/k8s';
import * as fc from 'fast-check';
import * as subset from '../../lib/workloads/private/imports/k8s';
import { currentSubsetFiles, k8sSubset, SUBSET_DIR, valueRoots } from '../../projenrc/k8s-subset';

/** The generated filter the subset replaces, as cdk8s-plus-28 writes it. */
const generatedFilter = (o: object, value: boolean) => Object.entries(o)
  .reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: value ? (i[1] as { value?: unknown } | null)?.value : i[1] }), {});

describe('the k8s subset (projenrc/k8s-subset.ts)', () => {
  test('the committed lib/workloads/private/imports/ (k8s.js, k8s.d.ts, LICENSE, NOTICE) is what the script writes now', () => {
    const message = 'lib/workloads/private/imports/ is out of date: run `npx tsx projenrc/k8s-subset.ts` and commit it';
    const current = currentSubsetFiles();
    expect(fs.readdirSync(SUBSET_DIR).sort()).toEqual([...current.keys()].sort());
    for (const [name, content] of current) {
      expect({ name, file: fs.readFileSync(path.join(SUBSET_DIR, name), 'utf-8'), message }).toEqual({ name, file: content, message });
    }
  });

  test('it keeps a root, what it calls through any depth, and the statements after each declaration; it drops the rest', () => {
    const source = [
      '"use strict";',
      'var _a, _b;',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      'exports.toJson_Unused = exports.toJson_Spec = exports.Kube = exports.Other = void 0;',
      'const cdk8s_1 = require("cdk8s");',
      'class Kube extends cdk8s_1.ApiObject { toJson() { return toJson_Spec(super.toJson()); } }',
      'exports.Kube = Kube;',
      '_a = Symbol.for("x");',
      'Kube.GVK = { kind: "Kube" };',
      'class Other {}',
      'exports.Other = Other;',
      'function toJson_Spec(obj) { const result = { port: toJson_Port(obj.port) }; return Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {}); }',
      'exports.toJson_Spec = toJson_Spec;',
      'function toJson_Port(obj) { return { limits: Object.entries(obj.limits).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1]?.value }), {}) }; }',
      'function toJson_Unused(obj) { return obj; }',
      'exports.toJson_Unused = toJson_Unused;',
    ].join('\n');
    const { js, dts, values } = k8sSubset(source, new Set(['Kube']), '0.0.0');
    const statements = js.split('\n').filter(l => !l.startsWith('//'));
    const helper = statements.findIndex(l => l.startsWith('function definedEntries(obj, f)'));
    expect(helper).toBeGreaterThan(0);
    expect(statements.slice(0, 5)).toEqual([
      '"use strict";',
      'var _a, _b;',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      'const cdk8s_1 = require("cdk8s");',
      'const api_object_json_1 = require("../api-object-json");',
    ]);
    expect(statements.slice(statements.indexOf('}', helper) + 1)).toEqual([
      'exports.Kube = exports.toJson_Spec = void 0;',
      // each kind renders its object with apiObjectJson (lib/workloads/private/api-object-json.ts)
      'class Kube extends cdk8s_1.ApiObject { toJson() { return toJson_Spec((0, api_object_json_1.apiObjectJson)(this)); } }',
      'exports.Kube = Kube;',
      '_a = Symbol.for("x");',
      'Kube.GVK = { kind: "Kube" };',
      'function toJson_Spec(obj) { const result = { port: toJson_Port(obj.port) }; return definedEntries(result); }',
      'exports.toJson_Spec = toJson_Spec;',
      'function toJson_Port(obj) { return { limits: definedEntries(obj.limits, v => v?.value) }; }',
      '',
    ]);
    expect(values).toEqual(['Kube']);
    expect(dts).toContain("export { Kube } from 'cdk8s-plus-28/lib/imports/k8s';");
    expect(() => k8sSubset(source, new Set(['KubeMissing']), '0.0.0')).toThrow('lib/ uses k8s.KubeMissing, which cdk8s-plus-28/lib/imports/k8s does not declare');
    // a form of the filter the script does not know would stay quadratic: refused
    const unknownForm = source.replace('[i[0]]: i[1]?.value }', '[i[0]]: i[1]?.map(y => y) }');
    expect(() => k8sSubset(unknownForm, new Set(['Kube']), '0.0.0')).toThrow(/^a generated filter of a form projenrc\/k8s-subset.ts does not rewrite \(add it to FILTERS\): Object.entries\(obj.limits\).reduce/);
  });

  test('the roots are the names used as values; uses as types need no code', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-roots-')), 'x.ts');
    try {
      fs.writeFileSync(file, [
        "import { k8s } from './plus';",
        'const a: k8s.KubeSecretProps = {};',
        'let b: typeof k8s.KubeNode | undefined;',
        'new k8s.KubeService(scope, "s", { spec: { ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }] } });',
      ].join('\n'));
      expect([...valueRoots([file])].sort()).toEqual(['IntOrString', 'KubeService']);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  test('every kind of the subset writes the same manifest as cdk8s-plus-28\'s whole module', () => {
    const kinds = Object.keys(subset).filter(k => k.startsWith('Kube'));
    expect(kinds.length).toBeGreaterThanOrEqual(15);
    const metadata = { name: 'x', labels: { app: 'x' }, annotations: { 'a/b': 'c' } };
    const spec = {
      replicas: 2,
      selector: { matchLabels: { app: 'x' } },
      ports: [{ port: 80, targetPort: full.IntOrString.fromNumber(8080) }],
      template: {
        metadata,
        spec: {
          containers: [{
            name: 'c',
            image: 'i',
            ports: [{ containerPort: 8080 }],
            resources: { requests: { cpu: full.Quantity.fromString('100m') } },
            securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
            env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
          }],
          volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }],
        },
      },
    };
    for (const kind of kinds) {
      const props = { metadata, spec, data: { a: 'b' } };
      const ours = (subset as unknown as Record<string, { manifest(p: unknown): unknown }>)[kind].manifest(props);
      const theirs = (full as unknown as Record<string, { manifest(p: unknown): unknown }>)[kind].manifest(props);
      expect({ kind, manifest: ours }).toEqual({ kind, manifest: theirs });
    }
    // and an object of the subset is a cdk8s ApiObject like any other
    const chart = new Chart(new App(), 'c');
    const service = new subset.KubeService(chart, 's', { spec: { ports: [{ port: 80 }] } });
    expect(ApiObject.isApiObject(service)).toBe(true);
    expect(chart.toJson()).toEqual([{ apiVersion: 'v1', kind: 'Service', metadata: { name: service.name }, spec: { ports: [{ port: 80 }] } }]);
  });

  test('property: the linear filter gives what the generated one gives, keys and their order included', () => {
    // definedEntries is not exported: reach it through kinds whose fields go through both forms of the filter
    const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', '0', '10', '2', 'a', 'app.kubernetes.io/name', ''), fc.string());
    const value = fc.oneof(fc.constant(undefined), fc.string(), fc.integer());
    const map = fc.array(fc.tuple(key, value), { maxLength: 8 }).map(entries => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    });
    fc.assert(fc.property(map, map, (labels, requests) => {
      const quantities = Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, v === undefined ? undefined : full.Quantity.fromString(String(v))]));
      for (const [k] of Object.entries(requests)) if (k === '__proto__') Object.defineProperty(quantities, k, { value: quantities[k], enumerable: true, writable: true, configurable: true });
      const props = {
        metadata: { labels, annotations: labels },
        spec: { hard: quantities, scopes: ['BestEffort'] },
      };
      const ours = subset.KubeResourceQuota.manifest(props as never);
      const theirs = full.KubeResourceQuota.manifest(props as never);
      // same keys in the same order, own properties only (a __proto__ key stays a field)
      expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
      expect(Object.getPrototypeOf(ours.metadata?.labels)).toBe(Object.prototype);
      expect(JSON.stringify(ours.metadata?.labels)).toBe(JSON.stringify(generatedFilter(labels, false)));
    }), { numRuns: 300 });
  });
});
