import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App as Cdk8sApp } from 'cdk8s';
import { IDependable } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { sampleWorkloads } from '../../charts/samples';
import {
  AddOnHelmChartProps, ClusterDistribution, EksPlatformStack, IPlatformAddOn, IPlatformCluster, PodSecurityLevel,
  SelfManagedPlatformStack,
} from '../../lib';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests } from '../support/k8s-check';

/** A minimal add-on: one pinned chart, as every add-on of the library installs its charts. */
class ChartAddOn implements IPlatformAddOn {
  constructor(public readonly name: string, private readonly chart: Partial<AddOnHelmChartProps> = {}) {}

  install(cluster: IPlatformCluster): IDependable {
    return cluster.addHelmChart(this.name, {
      repository: 'https://charts.example.com',
      chart: 'example',
      version: '1.2.3',
      namespace: 'example',
      values: { replicas: 2, image: { tag: 'v1.2.3' } },
      ...this.chart,
    });
  }
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

describe('EKS: an add-on chart is installed by the kubectl/helm Lambda', () => {
  const app = new App();
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', addOns: [new ChartAddOn('example')] });
  stack.cluster.addWorkloads('samples', sampleWorkloads(new Cdk8sApp(), stack.cluster.traits));
  const template = Template.fromStack(stack);
  const charts = template.findResources('Custom::AWSCDK-EKS-HelmChart');
  const [releaseId, release] = Object.entries(charts).find(([, r]) => r.Properties.Release === 'example')!;

  test('pinned chart, own namespace, values, atomic with a timeout', () => {
    expect(stack.cluster.distribution).toBe(ClusterDistribution.EKS);
    expect(release.Properties).toMatchObject({
      Repository: 'https://charts.example.com',
      Chart: 'example',
      Version: '1.2.3',
      Namespace: 'example',
      Wait: true,
      Atomic: true,
      Timeout: '600s',
    });
    expect(release.Properties.CreateNamespace).toBeUndefined(); // aws-eks-v2 writes false as absent
    expect(JSON.parse(release.Properties.Values)).toEqual({ replicas: 2, image: { tag: 'v1.2.3' } });
  });

  test('the namespace is created first, enforcing Pod Security restricted', () => {
    const manifests = Object.entries(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .filter(([, r]) => JSON.stringify(r.Properties.Manifest).includes('\\"name\\":\\"example\\"'));
    expect(manifests).toHaveLength(1);
    const [namespaceId, namespace] = manifests[0];
    const [object] = JSON.parse(namespace.Properties.Manifest);
    expect(object).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'example',
        labels: {
          'app.kubernetes.io/managed-by': 'cdk-k8s-platform',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    expectValidManifests([object], { failOnWarnings: true });
    expect(release.DependsOn).toEqual(expect.arrayContaining([namespaceId]));
  });

  test('after the cluster\'s controllers; workloads added later wait for it', () => {
    const alb = Object.entries(charts).find(([, r]) => r.Properties.Chart === 'aws-load-balancer-controller')![0];
    expect(release.DependsOn).toEqual(expect.arrayContaining([alb]));
    const workloads = Object.values(charts).filter(r => r.Properties.ChartAssetURL !== undefined);
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) expect(w.DependsOn).toEqual(expect.arrayContaining([releaseId]));
    expect(stack.addOns.example).toBeDefined();
  });
});

describe('k3s: an add-on chart is a HelmChart object for the Helm controller k3s ships', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'addon-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const stack = new SelfManagedPlatformStack(app, 'acme-k3s', {
    platformName: 'acme',
    addOns: [new ChartAddOn('example', { podSecurity: PodSecurityLevel.BASELINE, timeout: Duration.minutes(5) })],
  });
  app.synth();
  const objects = yamlFiles(outdir).flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJSON()))
    .filter(o => o?.metadata?.labels?.['platform.cdk-k8s.io/delivery']?.startsWith('addon-example'));

  test('delivered like workloads: the namespace (its Pod Security level) and the HelmChart', () => {
    expect(stack.cluster.distribution).toBe(ClusterDistribution.K3S);
    const helmChart = objects.find(o => o.kind === 'HelmChart');
    expect(helmChart).toMatchObject({
      apiVersion: 'helm.cattle.io/v1',
      metadata: { name: 'example', namespace: 'kube-system' },
      spec: { repo: 'https://charts.example.com', chart: 'example', version: '1.2.3', targetNamespace: 'example', timeout: '300s', failurePolicy: 'abort' },
    });
    expect(parseAllDocuments(helmChart.spec.valuesContent)[0].toJSON()).toEqual({ replicas: 2, image: { tag: 'v1.2.3' } });
    const namespace = objects.find(o => o.kind === 'Namespace');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expectValidManifests(objects, { failOnWarnings: true, allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
  });

  test('an oci:// chart is named by its full reference', () => {
    const other = new SelfManagedPlatformStack(new App(), 'oci', { platformName: 'oci' });
    expect(() => other.cluster.addHelmChart('karpenter', {
      repository: 'oci://public.ecr.aws/karpenter', chart: 'karpenter', version: '1.8.1', namespace: 'karpenter',
    })).not.toThrow();
  });
});

describe('bad input is refused at synth, naming the prop and the value', () => {
  const eks = () => new EksPlatformStack(new App(), 'e', { platformName: 'acme' });

  test.each<[string, Partial<AddOnHelmChartProps>, string]>([
    ['a version range', { version: '^1.2.0' }, 'EksPlatformCluster.addHelmChart.version is "^1.2.0": must be one exact chart version such as "4.7.2"'],
    ['a plain-http repository', { repository: 'http://charts.example.com' }, 'EksPlatformCluster.addHelmChart.repository is "http://charts.example.com": must be an https:// chart repository URL or an oci:// registry path'],
    ['a namespace that is not a label', { namespace: 'My_NS' }, 'EksPlatformCluster.addHelmChart.namespace is "My_NS": must be a DNS-1123 label'],
    ['a timeout past the Lambda limit', { timeout: Duration.minutes(20) }, 'EksPlatformCluster.addHelmChart.timeout is "20 minutes": must be from 1 to 14 minutes'],
    ['an unknown Pod Security level', { podSecurity: 'open' as PodSecurityLevel }, 'EksPlatformCluster.addHelmChart.podSecurity is "open": must be one of "restricted", "baseline", "privileged"'],
  ])('%s', (_what, chart, message) => {
    expect(expectThrownMessage(() => new ChartAddOn('example', chart).install(eks().cluster))).toContain(message);
  });

  test('an id too long for the delivery name', () => {
    expect(expectThrownMessage(() => new ChartAddOn('a'.repeat(37)).install(eks().cluster)))
      .toContain(`EksPlatformCluster.addHelmChart(id) is "${'a'.repeat(37)}": must be a DNS-1123 label: at most 36`);
  });

  test.each([['EKS', eks], ['k3s', () => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme' })]])('%s: the same chart id twice', (_kind, build) => {
    const cluster = build().cluster;
    new ChartAddOn('example').install(cluster);
    expect(expectThrownMessage(() => new ChartAddOn('example').install(cluster)))
      .toMatch(/addHelmChart\(id\) is "example": is already used by another chart of this cluster: give each chart its own id\.$/);
  });

  test('the same add-on twice', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'e', { platformName: 'acme', addOns: [new ChartAddOn('example'), new ChartAddOn('example')] })))
      .toBe('[e] EksPlatformStack.addOns[1].name is "example": is already the name of another add-on of this platform: give each add-on once.');
  });
});
