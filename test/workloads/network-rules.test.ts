import { App, Chart, Size } from 'cdk8s';
import { all, expectPropError, one, synthValid } from './fixtures';
import {
  Callers, ClusterTraits, IWorkloadSelector, KubeObject, NetworkPort, NetworkRules, PlatformChart, PlatformNamespace, ReleaseStrategy,
  StatefulService, synthesizeManifests, WebService, Worker,
} from '../../lib/workloads';
import { expectValidManifests } from '../support/k8s-check';

const DB_LABELS = { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' };
const WEB_LABELS = { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' };

/** web (WebService 80→8080), db (StatefulService 5432), worker in `namespace`; optionally a PlatformNamespace. */
function setup(opts: { namespace?: string; denyEgress?: boolean } = {}) {
  const app = new App();
  const base = new Chart(app, 'namespaces');
  if (opts.denyEgress !== undefined) new PlatformNamespace(base, opts.namespace ?? 'shop', { defaultDenyEgress: opts.denyEgress });
  const chart = new PlatformChart(app, 'shop', { traits: ClusterTraits.eks(), namespace: opts.namespace });
  const web = new WebService(chart, 'web', { image: 'nginx:1.27.3', replicas: 2 });
  const db = new StatefulService(chart, 'db', { image: 'postgres:16.4', ports: [{ name: 'postgres', port: 5432 }], volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(1) }] });
  const worker = new Worker(chart, 'worker', { image: 'ghcr.io/acme/worker:1.0.0' });
  return { app, base, chart, web, db, worker };
}

function policies(objects: KubeObject[]): KubeObject[] {
  return all(objects, 'NetworkPolicy').filter(p => p.metadata.labels?.['app.kubernetes.io/component'] === undefined);
}

describe('NetworkRules in one namespace without egress default-deny', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    const { chart, web, db } = setup({ namespace: 'shop' });
    new NetworkRules(chart, 'rules', { rules: [{ from: web, to: db, ports: [NetworkPort.tcp(5432)] }] });
    objects = synthValid(chart, { failOnWarnings: true });
  });

  test('one ingress policy on the target admitting the caller\'s pods on the port', () => {
    const [np] = policies(objects);
    expect(policies(objects)).toHaveLength(1);
    expect(np.metadata).toEqual({ name: 'db-from-web', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' } });
    expect(np.spec).toEqual({
      podSelector: { matchLabels: DB_LABELS },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: WEB_LABELS } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    });
  });

  test('snapshot', () => {
    expect(policies(objects)).toMatchSnapshot();
  });
});

describe('NetworkRules options', () => {
  test('egress policy on the caller when its namespace denies egress by default', () => {
    const { base, chart, web, db } = setup({ namespace: 'shop', denyEgress: true });
    const rules = new NetworkRules(chart, 'rules').allow(web, db);
    const objects = synthValid(chart, { failOnWarnings: true });
    expectValidManifests([...synthValid(base), ...objects]);
    const egress = one(objects, 'NetworkPolicy', 'web-to-db');
    expect(egress.metadata.namespace).toBe('shop');
    expect(egress.spec).toEqual({
      podSelector: { matchLabels: WEB_LABELS },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: DB_LABELS } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    });
    expect(rules.policies.map(p => p.name)).toEqual(['db-from-web', 'web-to-db']);
  });

  test('no egress policy when the namespace allows egress', () => {
    const { chart, web, db } = setup({ namespace: 'shop', denyEgress: false });
    new NetworkRules(chart, 'rules').allow(web, db);
    expect(policies(synthValid(chart)).map(p => p.metadata.name)).toEqual(['db-from-web']);
  });

  test('egress: true writes the egress side anyway; egress: false never', () => {
    const a = setup({ namespace: 'shop' });
    new NetworkRules(a.chart, 'rules', { egress: true }).allow(a.web, a.db);
    expect(policies(synthValid(a.chart)).map(p => p.metadata.name)).toEqual(['db-from-web', 'web-to-db']);
    const b = setup({ namespace: 'shop', denyEgress: true });
    new NetworkRules(b.chart, 'rules', { egress: false }).allow(b.web, b.db);
    expect(policies(synthValid(b.chart)).map(p => p.metadata.name)).toEqual(['db-from-web']);
  });

  test('across namespaces: namespace selectors on both sides, each policy in its own namespace', () => {
    const app = new App();
    const base = new Chart(app, 'namespaces');
    new PlatformNamespace(base, 'shop', { defaultDenyEgress: true });
    new PlatformNamespace(base, 'data');
    const shop = new PlatformChart(app, 'shop', { traits: ClusterTraits.eks(), namespace: 'shop' });
    const data = new PlatformChart(app, 'data', { traits: ClusterTraits.eks(), namespace: 'data' });
    const web = new WebService(shop, 'web', { image: 'nginx:1.27.3', replicas: 2 });
    const db = new StatefulService(data, 'db', { image: 'postgres:16.4', ports: [{ name: 'postgres', port: 5432 }], callers: Callers.only() });
    new NetworkRules(shop, 'rules').allow(web, db, NetworkPort.tcp(5432));
    const objects = synthesizeManifests(app).flatMap(m => m.objects);
    expectValidManifests(objects, { failOnWarnings: true });
    const ingress = one(objects, 'NetworkPolicy', 'db-from-shop-web');
    expect(ingress.metadata.namespace).toBe('data');
    expect(ingress.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: WEB_LABELS }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }]);
    const egress = one(objects, 'NetworkPolicy', 'web-to-data-db');
    expect(egress.metadata.namespace).toBe('shop');
    expect(egress.spec.egress[0].to).toEqual([{ podSelector: { matchLabels: DB_LABELS }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } } }]);
  });

  test('a workload in a chart without namespace is in "default", also for callers and rules written elsewhere', () => {
    const app = new App();
    const plain = new PlatformChart(app, 'plain', { traits: ClusterTraits.eks() });
    const data = new PlatformChart(app, 'data', { traits: ClusterTraits.eks(), namespace: 'data' });
    const web = new WebService(plain, 'web', { image: 'nginx:1.27.3', replicas: 2 });
    const db = new StatefulService(data, 'db', { image: 'postgres:16.4', ports: [{ name: 'postgres', port: 5432 }], callers: Callers.only(web) });
    new NetworkRules(data, 'rules', { egress: true }).allow(web, db);
    const objects = synthesizeManifests(app).flatMap(m => m.objects);
    expectValidManifests(objects, { failOnWarnings: true });
    const fromDefault = { podSelector: { matchLabels: WEB_LABELS }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } } };
    expect(one(objects, 'NetworkPolicy', 'db').spec.ingress[0].from).toContainEqual(fromDefault);
    expect(one(objects, 'NetworkPolicy', 'db-from-default-web').spec.ingress[0].from).toEqual([fromDefault]);
    // written from the "data" chart, the egress side still lands in the caller's (default) namespace
    expect(one(objects, 'NetworkPolicy', 'web-to-data-db').metadata.namespace).toBe('default');
  });

  test('a stateful service may be allowed to reach itself (replication under egress default-deny)', () => {
    const { chart, db } = setup({ namespace: 'shop', denyEgress: true });
    new NetworkRules(chart, 'rules').allow(db, db);
    const objects = synthValid(chart, { failOnWarnings: true });
    expect(one(objects, 'NetworkPolicy', 'db-to-db').spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: DB_LABELS } }], ports: [{ port: 5432, protocol: 'TCP' }] }]);
    expect(one(objects, 'NetworkPolicy', 'db-from-db').spec.podSelector).toEqual({ matchLabels: DB_LABELS });
  });

  test('Service ports of a WebService become its container ports; default: every port', () => {
    const { chart, web, worker, db } = setup();
    new NetworkRules(chart, 'rules').allow(worker, web, NetworkPort.tcp(80)).allow(db, web);
    const objects = synthValid(chart);
    expect(one(objects, 'NetworkPolicy', 'web-from-worker').spec.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(one(objects, 'NetworkPolicy', 'web-from-db').spec.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    // chart without a namespace: the policies carry none either
    expect(one(objects, 'NetworkPolicy', 'web-from-db').metadata.namespace).toBeUndefined();
  });

  test('any IWorkloadSelector, with explicit ports', () => {
    const { chart, web } = setup({ namespace: 'shop' });
    const cache = { selectorLabels: { 'app.kubernetes.io/name': 'redis' }, namespace: 'cache' };
    new NetworkRules(chart, 'rules').allow(web, cache, NetworkPort.tcp(6379), NetworkPort.udp(6379));
    const np = one(synthValid(chart, { disableRules: ['xref/network-policy'] }), 'NetworkPolicy', 'redis-from-shop-web');
    expect(np.metadata.namespace).toBe('cache');
    expect(np.spec.ingress[0].ports).toEqual([{ port: 6379, protocol: 'TCP' }, { port: 6379, protocol: 'UDP' }]);
  });
});

describe('NetworkRules validation', () => {
  test('a port the target does not expose', () => {
    const { chart, web, db } = setup();
    expectPropError(() => new NetworkRules(chart, 'rules').allow(web, db, NetworkPort.tcp(3306)),
      { path: 'shop/rules', prop: 'NetworkRules.allow[0].ports[0]', value: '"3306/TCP"', says: 'is not a port of the target; its ports are: postgres 5432/TCP.' });
  });

  test('ports are required for a selector that is not a workload', () => {
    const { chart, web } = setup();
    expectPropError(() => new NetworkRules(chart, 'rules', { rules: [{ from: web, to: { selectorLabels: { app: 'x' } } }] }),
      { path: 'shop/rules', prop: 'NetworkRules.rules[0].ports', value: 'undefined', says: 'are required when the target is not a workload of this library' });
  });

  test('a target without ports cannot be called', () => {
    const { chart, web, worker } = setup();
    expectPropError(() => new NetworkRules(chart, 'rules').allow(web, worker),
      { path: 'shop/rules', prop: 'NetworkRules.allow[0].ports', value: 'undefined', says: 'the target declares no ports' });
  });

  test('a target open to anyone is refused (a rule would close it)', () => {
    const { chart, db } = setup();
    const open = new WebService(chart, 'open', { image: 'nginx:1.27.3', replicas: 2, callers: Callers.any() });
    expectPropError(() => new NetworkRules(chart, 'rules').allow(db, open),
      { path: 'shop/rules', prop: 'NetworkRules.allow[0].to', value: '"shop/open"', says: 'admits anyone' });
  });

  test('the same pair twice is refused', () => {
    const { chart, web, db } = setup();
    new NetworkRules(chart, 'a').allow(web, db);
    expectPropError(() => new NetworkRules(chart, 'b').allow(web, db, NetworkPort.tcp(5432)),
      { path: 'shop/b', prop: 'NetworkRules.allow[0]', value: '"web → db"', says: 'repeats the rule at shop/a allow[0]' });
  });

  test('from and to must be workloads', () => {
    const { chart, db } = setup();
    expectPropError(() => new NetworkRules(chart, 'rules').allow({ selectorLabels: {} }, db),
      { path: 'shop/rules', prop: 'NetworkRules.allow[0].from', value: '{"selectorLabels":{}}', says: 'must be a workload' });
  });

  test('port numbers are checked', () => {
    const { chart, web } = setup();
    expectPropError(() => new NetworkRules(chart, 'rules').allow(web, { selectorLabels: { app: 'x' } }, NetworkPort.tcp(0)),
      { path: 'shop/rules', prop: 'NetworkRules.allow[0].ports[0]', value: '0', says: 'must be an integer from 1 to 65535.' });
  });

  test('a PlatformNamespace denying egress created after the rules fails synthesis', () => {
    const app = new App();
    const chart = new PlatformChart(app, 'shop', { traits: ClusterTraits.eks(), namespace: 'shop' });
    const web = new WebService(chart, 'web', { image: 'nginx:1.27.3', replicas: 2 });
    const db = new StatefulService(chart, 'db', { image: 'postgres:16.4', ports: [{ name: 'postgres', port: 5432 }] });
    new NetworkRules(chart, 'rules').allow(web, db);
    new PlatformNamespace(new Chart(app, 'namespaces'), 'shop', { defaultDenyEgress: true });
    expect(() => synthesizeManifests(chart)).toThrow(/\[shop\/rules\] allow\[0\]: namespace "shop" denies egress by default but no egress policy was written.*Create the PlatformNamespace first, or set egress: true/);
  });
});

describe('a release\'s candidate pods are named with the stable ones', () => {
  const API = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' };
  const API_CANARY = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api-canary', 'platform.cdk-k8s.io/track': 'canary' };
  const release = ReleaseStrategy.canary({ image: 'nginx:1.27.4', weight: 10 });

  function canarySetup(traits = ClusterTraits.k3s()) {
    const app = new App();
    new PlatformNamespace(new Chart(app, 'namespaces'), 'shop', { defaultDenyEgress: true });
    const chart = new PlatformChart(app, 'shop', { traits, namespace: 'shop' });
    const api = new WebService(chart, 'api', { image: 'nginx:1.27.3', replicas: 2, ingress: { hosts: ['shop.example.com'] }, release });
    const db = new StatefulService(chart, 'db', { image: 'postgres:16.4', ports: [{ name: 'postgres', port: 5432 }], callers: Callers.only(api) });
    return { chart, api, db };
  }

  test('the workload lists its candidate\'s selector labels; without a candidate, none', () => {
    const { chart, api, db } = canarySetup();
    expect(api.additionalSelectorLabels).toEqual([API_CANARY]);
    expect(api.releaseObjects.candidate?.selectorLabels).toEqual(API_CANARY);
    const plain = new WebService(chart, 'plain', { image: 'nginx:1.27.3', replicas: 2 });
    expect(plain.additionalSelectorLabels).toEqual([]);
    expect((db as IWorkloadSelector).additionalSelectorLabels).toBeUndefined();
  });

  test.each([['k3s', ClusterTraits.k3s()], ['eks', ClusterTraits.eks()]])('Callers.only(api) admits api-canary too (%s)', (_, traits) => {
    const { chart } = canarySetup(traits);
    const objects = synthValid(chart);
    const policy = one(objects, 'NetworkPolicy', 'db');
    // then db's own replicas (a StatefulService admits its peers)
    expect(policy.spec.ingress[0].from).toEqual([API, API_CANARY, DB_LABELS].map(matchLabels => ({ podSelector: { matchLabels } })));
  });

  test('a rule from a canaried workload: egress for both pod sets, the target admits both', () => {
    const { chart, api, db } = canarySetup();
    const rules = new NetworkRules(chart, 'rules').allow(api, db);
    const objects = synthValid(chart);
    const byName = (name: string) => objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === name) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(rules.policies.map(p => p.name)).toEqual(['db-from-api', 'api-to-db', 'api-canary-to-db']);
    expect(byName('db-from-api').spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: API } }, { podSelector: { matchLabels: API_CANARY } }]);
    expect(byName('api-to-db').spec.podSelector).toEqual({ matchLabels: API });
    expect(byName('api-canary-to-db').spec.podSelector).toEqual({ matchLabels: API_CANARY });
    expect(byName('api-canary-to-db').spec.egress).toEqual(byName('api-to-db').spec.egress);
  });

  test('a rule to a canaried workload opens its candidate pods too', () => {
    const { chart, api, db } = canarySetup();
    const rules = new NetworkRules(chart, 'rules').allow(db, api);
    const objects = synthValid(chart);
    const byName = (name: string) => objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === name) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(rules.policies.map(p => p.name)).toEqual(['api-from-db', 'api-canary-from-db', 'db-to-api']);
    expect(byName('api-canary-from-db').spec.podSelector).toEqual({ matchLabels: API_CANARY });
    expect(byName('api-canary-from-db').spec.ingress).toEqual(byName('api-from-db').spec.ingress);
    expect(byName('db-to-api').spec.egress[0].to).toEqual([{ podSelector: { matchLabels: API } }, { podSelector: { matchLabels: API_CANARY } }]);
  });

  test('an empty additional label set is refused (it would select every pod)', () => {
    const { chart, db } = setup();
    const selector = { selectorLabels: { app: 'x' }, additionalSelectorLabels: [{}] };
    expectPropError(() => new NetworkRules(chart, 'rules').allow(selector, db),
      { path: 'shop/rules', prop: 'NetworkRules.allow[0].from.additionalSelectorLabels', value: '[{}]', says: 'must be a list of non-empty label sets' });
    expectPropError(() => new WebService(chart, 'api', { image: 'nginx:1.27.3', replicas: 2, callers: Callers.only(selector) }),
      { path: 'shop/api', prop: 'WebService.callers[0].additionalSelectorLabels', value: '[{}]', says: 'an empty set would select every pod of the namespace' });
  });
});
