import { ApiObject, App, Chart, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import * as full from 'cdk8s-plus-28/lib/imports/k8s';
import * as fc from 'fast-check';
import { newChart } from './fixtures';
import { WebService } from '../../lib';
import { apiObjectJson } from '../../lib/workloads/private/api-object-json';
import * as subset from '../../lib/workloads/private/imports/k8s';

/** cdk8s's own rendering of an ApiObject, which apiObjectJson must equal (keys in the same order). */
const cdk8sJson = (obj: ApiObject): unknown => ApiObject.prototype.toJson.call(obj);

/** A record whose keys are own fields even when one is `__proto__`. */
function record<T>(entries: Array<[string, T]>): Record<string, T> {
  const o: Record<string, T> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const PLAIN_KEYS = ['0', '10', '2', 'a', 'B', 'b', 'apiVersion', 'kind', 'metadata', 'spec', 'value', 'resolve', '', 'app.kubernetes.io/name'];
/** Keys and values cdk8s renders differently from plain data, or refuses: apiObjectJson leaves them to cdk8s. */
const EXOTIC_KEYS = ['__proto__', 'constructor'];
const EXOTIC_VALUES: Array<() => unknown> = [
  () => Lazy.any({ produce: () => ({ z: 1, a: [null, 'lazy'] }) }),
  () => ({ resolve: () => ({ b: 'resolved', a: undefined }) }),
  () => new Date(0),
  () => Object.assign(Object.create(null), { value: 'no prototype' }),
  () => Object.create(null),
  () => () => 'a function',
  () => Object.assign(['array with a value'], { value: 'v' }),
  // a prototype that is itself a plain object: cdk8s does not take it for a number-or-string union
  () => Object.assign(Object.create({ inherited: 1 }), { value: 'own value', b: 2 }),
  () => Object.create({ value: 'inherited value' }),
  () => Object.assign(Object.create({}), { a: [1] }),
  // a getter on a plain object, and a union whose value is a getter
  () => Object.defineProperty({ b: 1 }, 'a', { get: () => ({ y: 'got', x: null }), enumerable: true }),
  () => Object.defineProperty(Object.create(full.IntOrString.prototype), 'value', { get: () => 'getter', enumerable: true }),
];
const exoticValue = fc.constantFrom(...EXOTIC_VALUES).map(make => make());

function valueArbitrary(exotic: boolean): fc.Arbitrary<unknown> {
  const keys = exotic ? [...PLAIN_KEYS, ...EXOTIC_KEYS] : PLAIN_KEYS;
  const key = fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 4 }));
  const leaves: Array<fc.Arbitrary<unknown>> = [
    fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 6 }), fc.integer(), fc.double(), fc.boolean(),
    fc.integer({ min: 1, max: 65535 }).map(n => full.IntOrString.fromNumber(n)),
    fc.constantFrom('http', '50%').map(s => full.IntOrString.fromString(s)),
    fc.constantFrom('100m', '1Gi').map(s => full.Quantity.fromString(s)),
    fc.constantFrom([], {}),
  ];
  const leaf = exotic ? fc.oneof(...leaves, exoticValue) : fc.oneof(...leaves);
  const { tree } = fc.letrec(tie => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('tree'), { maxLength: 4 }),
      fc.array(fc.tuple(key, tie('tree')), { maxLength: 5 }).map(record)),
  }));
  return tree;
}

const stringKey = fc.oneof(fc.constantFrom(...PLAIN_KEYS), fc.string({ maxLength: 4 }));
const stringMap = fc.array(fc.tuple(stringKey, fc.string({ maxLength: 4 })), { maxLength: 4 }).map(record);

interface Case {
  readonly props: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly extraLabel?: string;
  readonly unsorted: boolean;
  readonly customResolver: boolean;
  readonly patch: boolean;
}

function caseArbitrary(exotic: boolean): fc.Arbitrary<Case> {
  const value = valueArbitrary(exotic);
  return fc.record({
    props: fc.array(fc.tuple(fc.constantFrom('spec', 'data', 'rules', 'status', 'z', 'a', 'metadata'), value), { maxLength: 4 }).map(record),
    metadata: fc.record({
      name: fc.option(fc.constantFrom('x', 'web-0'), { nil: undefined }),
      namespace: fc.option(fc.constantFrom('shop', ''), { nil: undefined }),
      labels: stringMap,
      annotations: stringMap,
      finalizers: fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
      ownerReferences: fc.array(value, { maxLength: 2 }),
      generateName: value,
    }, { requiredKeys: [] }),
    extraLabel: fc.option(fc.string({ maxLength: 3 }), { nil: undefined }),
    unsorted: fc.boolean(),
    customResolver: fc.boolean(),
    patch: fc.boolean(),
  });
}

/** The object of a case, in its own app. */
function objectOf(c: Case): ApiObject {
  const resolvers = c.customResolver ? [{ resolve: (ctx: ResolutionContext) => { if (ctx.value === 'a') ctx.replaceValue('A'); } }] : undefined;
  const chart = new Chart(new App({ resolvers }), 'chart');
  const obj = new ApiObject(chart, 'obj', { apiVersion: 'v1', kind: 'Thing', ...c.props, metadata: c.metadata } as never);
  if (c.extraLabel !== undefined) obj.metadata.addLabel('extra', c.extraLabel);
  if (c.patch) obj.addJsonPatch(JsonPatch.add('/added', { b: 1, a: 2 }));
  return obj;
}

/** What rendering gives: the value, or the error's message. */
function outcome(render: () => unknown): { readonly value?: unknown; readonly json?: string; readonly error?: string } {
  try {
    const value = render();
    return { value, json: JSON.stringify(value) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function withSortEnv<T>(unsorted: boolean, f: () => T): T {
  const before = process.env.CDK8S_DISABLE_SORT;
  if (unsorted) process.env.CDK8S_DISABLE_SORT = '1';
  else delete process.env.CDK8S_DISABLE_SORT;
  try {
    return f();
  } finally {
    if (before === undefined) delete process.env.CDK8S_DISABLE_SORT;
    else process.env.CDK8S_DISABLE_SORT = before;
  }
}

describe('apiObjectJson: cdk8s ApiObject.toJson() in one pass', () => {
  afterEach(() => jest.restoreAllMocks());

  test('property: plain data renders as cdk8s renders it, without cdk8s\'s toJson()', () => {
    fc.assert(fc.property(caseArbitrary(false), c => {
      const obj = objectOf(c);
      withSortEnv(c.unsorted, () => {
        const theirs = outcome(() => cdk8sJson(obj));
        const spy = jest.spyOn(ApiObject.prototype, 'toJson');
        const ours = outcome(() => apiObjectJson(obj));
        const fallbacks = spy.mock.calls.length;
        spy.mockRestore();
        // same value, same keys in the same order (JSON), same undefined items and prototypes (toStrictEqual)
        expect(ours.json).toBe(theirs.json);
        expect(ours).toStrictEqual(theirs);
        // plain data in an app with the built-in resolvers and no patch is rendered here, not by cdk8s
        expect(fallbacks).toBe(c.customResolver || c.patch ? 1 : 0);
      });
    }), { numRuns: 400 });
  });

  test('property: with values cdk8s resolves or refuses, the result (or the error) is cdk8s\'s', () => {
    fc.assert(fc.property(caseArbitrary(true), c => {
      const obj = objectOf(c);
      withSortEnv(c.unsorted, () => {
        const theirs = outcome(() => cdk8sJson(obj));
        const ours = outcome(() => apiObjectJson(obj));
        expect(ours.json).toBe(theirs.json);
        expect(ours).toStrictEqual(theirs);
      });
    }), { numRuns: 400 });
  });

  test('a Lazy is produced once, by cdk8s: apiObjectJson gives up before producing anything', () => {
    const chart = new Chart(new App(), 'chart');
    const produce = jest.fn(() => 3);
    const obj = new ApiObject(chart, 'obj', { apiVersion: 'v1', kind: 'Thing', spec: { replicas: Lazy.any({ produce }) } } as never);
    expect(apiObjectJson(obj)).toEqual({ apiVersion: 'v1', kind: 'Thing', metadata: { name: obj.name }, spec: { replicas: 3 } });
    expect(produce).toHaveBeenCalledTimes(1);
  });

  test('every kind of the library renders as cdk8s-plus-28\'s own class does', () => {
    const kinds = Object.keys(subset).filter(k => k.startsWith('Kube'));
    const props = {
      metadata: { name: 'x', labels: { b: '1', a: '2' }, annotations: { 'a/b': 'c' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'x' } },
        ports: [{ port: 80, targetPort: full.IntOrString.fromNumber(8080) }],
        template: { spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: full.Quantity.fromString('100m') } } }] } },
      },
      data: { z: 'b', a: 'c' },
    };
    for (const kind of kinds) {
      const render = (module: object) => {
        const Kind = (module as Record<string, new (scope: Chart, id: string, props: unknown) => ApiObject>)[kind];
        return new Kind(new Chart(new App(), 'chart'), 'obj', props).toJson();
      };
      const ours = render(subset);
      expect({ kind, json: JSON.stringify(ours) }).toEqual({ kind, json: JSON.stringify(render(full)) });
    }
  });

  test('property: every kind of the library renders random fields as cdk8s-plus-28\'s own class does', () => {
    const kinds = Object.keys(subset).filter(k => k.startsWith('Kube'));
    const field = fc.constantFrom('spec', 'data', 'rules', 'subjects', 'roleRef', 'metadata', 'selector', 'template');
    const value = valueArbitrary(false);
    const arbitrary = fc.record({
      kind: fc.constantFrom(...kinds),
      props: fc.array(fc.tuple(field, value), { maxLength: 3 }).map(record),
      unsorted: fc.boolean(),
    });
    fc.assert(fc.property(arbitrary, ({ kind, props, unsorted }) => {
      const render = (module: object) => {
        const Kind = (module as Record<string, new (scope: Chart, id: string, props: unknown) => ApiObject>)[kind];
        return outcome(() => new Kind(new Chart(new App(), 'chart'), 'obj', props).toJson());
      };
      withSortEnv(unsorted, () => {
        const ours = render(subset);
        const theirs = render(full);
        expect(ours.json).toBe(theirs.json);
        expect(ours).toStrictEqual(theirs);
      });
    }), { numRuns: 200 });
  });

  test('a WebService\'s objects take the one pass: cdk8s\'s toJson() is not called', () => {
    const chart = newChart();
    new WebService(chart, 'web', { image: 'public.ecr.aws/nginx/nginx:1.27', ingress: { hosts: ['web.example.com'] } });
    const spy = jest.spyOn(ApiObject.prototype, 'toJson');
    const objects = chart.toJson();
    expect(objects.map((o: { kind: string }) => o.kind)).toEqual(expect.arrayContaining(['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Ingress', 'NetworkPolicy']));
    expect(spy).not.toHaveBeenCalled();
  });
});
