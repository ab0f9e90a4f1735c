import { App, Chart, Size } from 'cdk8s';
import { all, expectPropError, one, synthValid } from './fixtures';
import { ClusterTraits, Cpu, KubeObject, PlatformChart, PlatformNamespace, PlatformNamespaceProps, PodSecurityLevel, WebService } from '../../lib/workloads';
import { expectValidManifests } from '../support/k8s-check';

function synth(props: PlatformNamespaceProps = {}, chartNamespace?: string): { objects: KubeObject[]; ns: PlatformNamespace } {
  const chart = new Chart(new App(), 'namespaces', { namespace: chartNamespace });
  const ns = new PlatformNamespace(chart, 'shop', props);
  return { objects: synthValid(chart), ns };
}

describe('PlatformNamespace defaults', () => {
  let objects: KubeObject[];
  beforeAll(() => ({ objects } = synth()));

  test('only a Namespace', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/shop']);
  });

  test('Pod Security: enforce restricted at a pinned version, audit and warn restricted at latest', () => {
    expect(one(objects, 'Namespace').metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'cdk-k8s-platform',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });
});

describe('PlatformNamespace options', () => {
  test('in a chart with a namespace, the Namespace has no metadata.namespace; its policies are in the namespace', () => {
    const { objects } = synth({ defaultDenyIngress: true }, 'other');
    expect(one(objects, 'Namespace').metadata.namespace).toBeUndefined();
    expect(one(objects, 'NetworkPolicy').metadata.namespace).toBe('shop');
  });

  test('default-deny ingress: every pod, no ingress rule', () => {
    const { objects, ns } = synth({ defaultDenyIngress: true });
    const np = one(objects, 'NetworkPolicy');
    expect(np.metadata).toMatchObject({ name: 'default-deny-ingress', namespace: 'shop' });
    expect(np.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(ns.defaultDenyIngress).toBe(true);
    expect(ns.defaultDenyEgress).toBe(false);
  });

  test('default-deny egress: DNS to kube-system only', () => {
    const { objects, ns } = synth({ defaultDenyEgress: true });
    const np = one(objects, 'NetworkPolicy');
    expect(np.metadata).toMatchObject({ name: 'default-deny-egress', namespace: 'shop' });
    expect(np.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    });
    expect(ns.defaultDenyEgress).toBe(true);
  });

  test('a level and version of choice, extra labels', () => {
    const { objects } = synth({ name: 'legacy', podSecurity: PodSecurityLevel.BASELINE, podSecurityVersion: 'latest', labels: { team: 'payments' } });
    expect(one(objects, 'Namespace').metadata).toMatchObject({
      name: 'legacy',
      labels: { 'team': 'payments', 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'latest', 'pod-security.kubernetes.io/warn': 'restricted' },
    });
    const privileged = synth({ podSecurity: PodSecurityLevel.PRIVILEGED }).objects;
    expect(one(privileged, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('a typed ResourceQuota', () => {
    const { objects } = synth({
      quota: {
        cpuRequests: Cpu.units(4),
        cpuLimits: Cpu.units(8),
        memoryRequests: Size.gibibytes(8),
        memoryLimits: Size.gibibytes(16),
        storageRequests: Size.gibibytes(100),
        pods: 50,
        services: 10,
        loadBalancers: 0,
        persistentVolumeClaims: 20,
      },
      limits: { defaultCpuLimit: Cpu.millis(500) },
    });
    const quota = one(objects, 'ResourceQuota');
    expect(quota.metadata).toMatchObject({ name: 'quota', namespace: 'shop' });
    expect(quota.spec.hard).toEqual({
      'requests.cpu': '4',
      'limits.cpu': '8',
      'requests.memory': '8Gi',
      'limits.memory': '16Gi',
      'requests.storage': '100Gi',
      'pods': '50',
      'services': '10',
      'services.loadbalancers': '0',
      'persistentvolumeclaims': '20',
    });
  });

  test('a typed LimitRange for containers', () => {
    const { objects } = synth({
      limits: {
        defaultCpuRequest: Cpu.millis(100),
        defaultCpuLimit: Cpu.millis(500),
        defaultMemoryRequest: Size.mebibytes(128),
        defaultMemoryLimit: Size.mebibytes(256),
        maxCpu: Cpu.units(2),
        maxMemory: Size.gibibytes(4),
      },
    });
    const lr = one(objects, 'LimitRange');
    expect(lr.metadata).toMatchObject({ name: 'container-limits', namespace: 'shop' });
    expect(lr.spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      default: { cpu: '500m', memory: '256Mi' },
      max: { cpu: '2', memory: '4Gi' },
    }]);
  });

  test('used with a workload chart in the namespace: all objects check clean together', () => {
    const app = new App();
    const base = new Chart(app, 'namespaces');
    const shop = new PlatformNamespace(base, 'shop', { defaultDenyIngress: true, defaultDenyEgress: true });
    const chart = new PlatformChart(app, 'shop', { traits: ClusterTraits.k3s(), namespace: shop.name });
    chart.addDependency(base);
    new WebService(chart, 'web', { image: 'nginx:1.27.3', ingress: { hosts: ['shop.example.com'] } });
    const objects = [...synthValid(base), ...synthValid(chart)];
    expectValidManifests(objects, { failOnWarnings: true });
    expect(all(objects, 'NetworkPolicy').map(o => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['shop/default-deny-ingress', 'shop/default-deny-egress', 'shop/web']);
    expect(app.charts.indexOf(base)).toBeLessThan(app.charts.indexOf(chart));
  });
});

describe('PlatformNamespace validation', () => {
  const fail = (props: PlatformNamespaceProps, prop: string, value: string, says: string) =>
    expectPropError(() => new PlatformNamespace(new Chart(new App(), 'namespaces'), 'shop', props), { path: 'namespaces/shop', prop: `PlatformNamespace.${prop}`, value, says });

  test('the name is a DNS label and not a system name', () => {
    fail({ name: 'Shop' }, 'name', '"Shop"', 'must be a DNS-1123 label');
    fail({ name: 'kube-apps' }, 'name', '"kube-apps"', 'reserved for Kubernetes system namespaces');
  });

  test('a namespace is defined once per app', () => {
    const app = new App();
    new PlatformNamespace(new Chart(app, 'a'), 'shop');
    expectPropError(() => new PlatformNamespace(new Chart(app, 'b'), 'shop'), { path: 'b/shop', prop: 'PlatformNamespace.name', value: '"shop"', says: 'is already defined by a/shop' });
  });

  test('podSecurityVersion is latest or v1.N', () => {
    fail({ podSecurityVersion: '1.28' }, 'podSecurityVersion', '"1.28"', 'must be "latest" or a Kubernetes minor version');
  });

  test('Pod Security labels are not set by hand', () => {
    fail({ labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } }, 'labels.pod-security.kubernetes.io/enforce', '"pod-security.kubernetes.io/enforce"', 'is managed by the construct');
    fail({ labels: { team: 'a b' } }, 'labels.team', '"a b"', 'must be a valid label value');
  });

  test('quota values are positive; a quota sets something', () => {
    fail({ quota: { memoryRequests: Size.mebibytes(0) } }, 'quota.memoryRequests', '"0Ki"', 'must be a positive size');
    fail({ quota: { cpuRequests: Cpu.millis(0) } }, 'quota.cpuRequests', '"0m"', 'must be a positive CPU quantity');
    fail({ quota: { pods: -1 } }, 'quota.pods', '-1', 'must be an integer from 0');
    fail({ quota: {} }, 'quota', '{}', 'sets no limit');
  });

  test('a CPU-limit quota needs a default CPU limit (the workloads set none)', () => {
    fail({ quota: { cpuLimits: Cpu.units(4) } }, 'quota.cpuLimits', '"4"', 'also set limits.defaultCpuLimit');
  });

  test('limit range defaults are ordered', () => {
    fail({ limits: { defaultCpuRequest: Cpu.units(1), defaultCpuLimit: Cpu.millis(500) } }, 'limits.defaultCpuRequest', '"1"', 'must not exceed limits.defaultCpuLimit (500m).');
    fail({ limits: { defaultMemoryLimit: Size.gibibytes(8), maxMemory: Size.gibibytes(4) } }, 'limits.defaultMemoryLimit', '"8Gi"', 'must not exceed limits.maxMemory (4Gi).');
    fail({ limits: {} }, 'limits', '{}', 'sets nothing');
  });
});
