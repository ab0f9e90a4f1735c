import { App, Chart } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import {
  ClusterTraits, CronSchedule, NodeAgent, OneOffJob, PlatformChart, ScheduledJob, StatefulService, WebService, Worker,
  WORKLOAD_IDENTITY_LABEL, WorkloadIdentity,
} from '../../lib/workloads';

const IMAGE = 'public.ecr.aws/acme/orders:1.4.2';

/** The pod spec of the one workload object of `kind`. */
function podSpec(chart: PlatformChart, kind: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const o = one(synthValid(chart), kind);
  return kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
}

describe('WorkloadIdentity: the workload\'s own ServiceAccount', () => {
  test('one ServiceAccount, token automount off, labelled as a workload identity, valid against its schema', () => {
    const chart = newChart({ namespace: 'shop' });
    const orders = new WorkloadIdentity(chart, 'orders');
    const sa = one(synthValid(chart), 'ServiceAccount');
    expect(sa).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'orders',
        namespace: 'shop',
        labels: {
          'app.kubernetes.io/name': 'orders',
          'app.kubernetes.io/component': 'identity',
          'app.kubernetes.io/part-of': 'shop',
          'app.kubernetes.io/managed-by': 'cdk-k8s-platform',
          [WORKLOAD_IDENTITY_LABEL]: 'true',
        },
      },
      automountServiceAccountToken: false,
    });
    expect([orders.namespace, orders.serviceAccountName]).toEqual(['shop', 'orders']);
    expect(WorkloadIdentity.isWorkloadIdentity(orders)).toBe(true);
    expect(WorkloadIdentity.isWorkloadIdentity({ namespace: 'shop', serviceAccountName: 'orders' })).toBe(false);
  });

  test('a chart without a namespace puts it in "default"; name and labels can be given', () => {
    const chart = new Chart(new App(), 'plain');
    const id = new WorkloadIdentity(chart, 'x', { name: 'billing-reader', labels: { team: 'billing' } });
    expect(id.namespace).toBe('default');
    const [sa] = chart.toJson();
    expect(sa.metadata).toMatchObject({ name: 'billing-reader', labels: { team: 'billing' } });
    expect(sa.metadata.labels['app.kubernetes.io/part-of']).toBeUndefined();
  });
});

describe.each([
  ['WebService', 'Deployment', (c: PlatformChart, identity: WorkloadIdentity) => new WebService(c, 'app', { image: IMAGE, replicas: 2, identity })],
  ['Worker', 'Deployment', (c: PlatformChart, identity: WorkloadIdentity) => new Worker(c, 'app', { image: IMAGE, identity })],
  ['StatefulService', 'StatefulSet', (c: PlatformChart, identity: WorkloadIdentity) => new StatefulService(c, 'app', { image: IMAGE, ports: [{ name: 'db', port: 5432 }], identity })],
  ['ScheduledJob', 'CronJob', (c: PlatformChart, identity: WorkloadIdentity) => new ScheduledJob(c, 'app', { image: IMAGE, schedule: CronSchedule.daily(), identity })],
  ['OneOffJob', 'Job', (c: PlatformChart, identity: WorkloadIdentity) => new OneOffJob(c, 'app', { image: IMAGE, identity })],
  ['NodeAgent', 'DaemonSet', (c: PlatformChart, identity: WorkloadIdentity) => new NodeAgent(c, 'app', { image: IMAGE, identity })],
])('%s with an identity', (_kind, objectKind, make) => {
  test('the pods run as the identity\'s ServiceAccount, without its token, and pass the restricted checks', () => {
    const chart = newChart({ namespace: 'shop' });
    make(chart, new WorkloadIdentity(chart, 'orders'));
    const spec = podSpec(chart, objectKind);
    expect(spec.serviceAccountName).toBe('orders');
    expect(spec.automountServiceAccountToken).toBe(false);
  });
});

describe('identity: bad input', () => {
  test('several workloads share one identity; the token is mounted only when asked', () => {
    const chart = newChart({ namespace: 'shop' });
    const orders = new WorkloadIdentity(chart, 'orders');
    new WebService(chart, 'api', { image: IMAGE, replicas: 2, identity: orders });
    new Worker(chart, 'consumer', { image: IMAGE, identity: orders, automountServiceAccountToken: true });
    const objects = synthValid(chart, { allowServiceAccountToken: ['consumer'] });
    const specs = objects.filter(o => o.kind === 'Deployment').map((o: any) => o.spec.template.spec); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(specs.map(s => [s.serviceAccountName, s.automountServiceAccountToken])).toEqual([['orders', false], ['orders', true]]);
    expect(objects.filter(o => o.kind === 'ServiceAccount')).toHaveLength(1);
  });

  test('identity and serviceAccountName together are refused', () => {
    const chart = newChart({ namespace: 'shop' });
    const orders = new WorkloadIdentity(chart, 'orders');
    expectPropError(() => new WebService(chart, 'api', { image: IMAGE, identity: orders, serviceAccountName: 'legacy' }), {
      path: 'shop/api', prop: 'WebService.serviceAccountName', value: '"legacy"', says: 'cannot be given with identity (its ServiceAccount is "orders"): remove serviceAccountName.',
    });
  });

  test('an identity of another namespace is refused, naming both namespaces', () => {
    const app = new App();
    const billing = new PlatformChart(app, 'billing', { namespace: 'billing', traits: ClusterTraits.eks() });
    const shop = new PlatformChart(app, 'shop', { namespace: 'shop', traits: ClusterTraits.eks() });
    const reader = new WorkloadIdentity(billing, 'reader');
    expectPropError(() => new Worker(shop, 'consumer', { image: IMAGE, identity: reader }), {
      path: 'shop/consumer', prop: 'Worker.identity', value: '"billing/reader"', says: 'is in namespace "billing", but the workload is in "shop"',
    });
  });

  test('two identities of one name in a chart are refused (identity name clash)', () => {
    const chart = newChart({ namespace: 'shop' });
    new WorkloadIdentity(chart, 'orders');
    expectPropError(() => new WorkloadIdentity(chart, 'orders-2', { name: 'orders' }), {
      path: 'shop/orders-2', prop: 'WorkloadIdentity.name', value: '"orders"', says: 'is also the name of workload identity shop/orders in namespace "shop"',
    });
  });

  test('a name that is no ServiceAccount name, or longer than Pod Identity allows, is refused', () => {
    const chart = newChart({ namespace: 'shop' });
    expectPropError(() => new WorkloadIdentity(chart, 'x', { name: 'Orders' }), { path: 'shop/x', prop: 'WorkloadIdentity.name', value: '"Orders"', says: 'DNS-1123' });
    const long = 'a'.repeat(101);
    expectPropError(() => new WorkloadIdentity(chart, 'y', { name: long }), { path: 'shop/y', prop: 'WorkloadIdentity.name', value: `"${long}"`, says: 'at most 100 characters' });
  });

  test('something else than a WorkloadIdentity is refused', () => {
    const chart = newChart({ namespace: 'shop' });
    expectPropError(() => new Worker(chart, 'w', { image: IMAGE, identity: { namespace: 'shop', serviceAccountName: 'x' } as unknown as WorkloadIdentity }), {
      path: 'shop/w', prop: 'Worker.identity', value: '{"namespace":"shop","serviceAccountName":"x"}', says: 'must be a WorkloadIdentity',
    });
  });
});
