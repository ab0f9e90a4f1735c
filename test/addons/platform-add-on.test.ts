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
import { EBS_CSI_DRIVER } from '../../lib/addons/ebs-csi';
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

describe('chartArchive: a packaged chart shipped with the add-on, installed on every kind without a download', () => {
  const packaged: Partial<AddOnHelmChartProps> = {
    repository: EBS_CSI_DRIVER.repository, chart: EBS_CSI_DRIVER.chart, version: EBS_CSI_DRIVER.version, chartArchive: EBS_CSI_DRIVER.archive, values: {},
  };

  test('EKS: an S3 asset of the chart\'s files (the kubectl/helm Lambda unzips it and installs the directory), no repository', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'addon-archive-'));
    try {
      const app = new App({ outdir });
      const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', addOns: [new ChartAddOn('packaged', packaged)] });
      const assembly = app.synth();
      const release = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart')).find(r => r.Properties.Release === 'packaged')!;
      expect(release.Properties.Repository).toBeUndefined();
      expect(release.Properties.Version).toBeUndefined();
      expect(release.Properties.Chart).toBeUndefined();
      const url = JSON.stringify(release.Properties.ChartAssetURL);
      const hash = /([0-9a-f]{64})\.zip/.exec(url)![1];
      // the staged asset is the chart directory itself: Chart.yaml at its root, the templates below it
      const staged = path.join(assembly.directory, `asset.${hash}`);
      expect(fs.readFileSync(path.join(staged, 'Chart.yaml'), 'utf8')).toContain('version: 2.64.0-cdkk8s.1');
      expect(fs.existsSync(path.join(staged, 'templates', 'controller.yaml'))).toBe(true);
      // the Lambda reads the asset from the bootstrap bucket: acknowledged for cdk-nag as for the workloads' chart assets
      const acks = stack.cluster.cluster.kubectlProvider!.node.metadata.map(m => JSON.stringify(m.data)).join('\n');
      expect(acks).toContain('AwsSolutions-IAM5[Action::s3:GetObject*]');
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('k3s: the archive, base64, in spec.chartContent; its identity in annotations; no repository or version to fetch', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'addon-archive-'));
    try {
      const app = new App({ outdir });
      new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', ebsCsi: false, volumeBackup: false, addOns: [new ChartAddOn('packaged', packaged)] });
      app.synth();
      const helmChart = yamlFiles(outdir).flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJSON()))
        .find(o => o?.kind === 'HelmChart' && o.metadata.name === 'packaged');
      expect(helmChart.metadata.annotations).toEqual({
        'platform.cdk-k8s.io/chart': 'aws-ebs-csi-driver-2.64.0-cdkk8s.1', 'platform.cdk-k8s.io/chart-source': 'https://kubernetes-sigs.github.io/aws-ebs-csi-driver',
      });
      expect(Object.keys(helmChart.spec).sort()).toEqual(['chartContent', 'failurePolicy', 'repo', 'targetNamespace', 'timeout', 'version']);
      expect(helmChart.spec).toMatchObject({ repo: '', version: '' });
      expect(Buffer.from(helmChart.spec.chartContent, 'base64').equals(fs.readFileSync(EBS_CSI_DRIVER.archive))).toBe(true);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  describe('bad archives', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'addon-archive-bad-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, data: Buffer) => {
      fs.writeFileSync(path.join(dir, name), data);
      return path.join(dir, name);
    };
    const k3s = () => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ebsCsi: false, volumeBackup: false }).cluster;
    const install = (chart: Partial<AddOnHelmChartProps>) => expectThrownMessage(() => new ChartAddOn('packaged', { ...packaged, ...chart }).install(k3s()));

    test('a relative path, or one that is not a .tgz', () => {
      expect(install({ chartArchive: 'chart/aws-ebs-csi-driver.tgz' })).toContain('addHelmChart.chartArchive is "chart/aws-ebs-csi-driver.tgz": must be the absolute path of a packaged chart (.tgz');
      expect(install({ chartArchive: '/charts/aws-ebs-csi-driver' })).toContain('addHelmChart.chartArchive is "/charts/aws-ebs-csi-driver": must be the absolute path');
    });

    test('a file that does not exist', () => {
      expect(install({ chartArchive: path.join(dir, 'missing.tgz') }))
        .toContain(`addHelmChart.chartArchive is "${path.join(dir, 'missing.tgz')}": does not exist: ship the .tgz with the library`);
    });

    test('a file that is not a packaged chart', () => {
      const junk = file('junk.tgz', Buffer.from('not gzip'));
      expect(install({ chartArchive: junk })).toMatch(/addHelmChart\.chartArchive is ".*junk\.tgz": is not a packaged chart \(not gzip: .*\): make it with `helm package <chart dir>`\.$/);
    });

    test('an archive over 512 KiB (k3s keeps it in a ConfigMap)', () => {
      const big = file('big.tgz', Buffer.alloc(600 * 1024));
      expect(install({ chartArchive: big })).toContain(`addHelmChart.chartArchive is "${big}": is ${600 * 1024} bytes: at most 524288`);
    });

    test('an archive of another chart or version than the props name', () => {
      expect(install({ version: EBS_CSI_DRIVER.upstreamVersion })).toContain(`addHelmChart.chartArchive is "${EBS_CSI_DRIVER.archive}": holds the chart aws-ebs-csi-driver 2.64.0-cdkk8s.1 `
        + '(its Chart.yaml), not aws-ebs-csi-driver 2.64.0: make chart and version name the archive\'s chart');
      expect(install({ chart: 'ebs' })).toContain('holds the chart aws-ebs-csi-driver 2.64.0-cdkk8s.1 (its Chart.yaml), not ebs 2.64.0-cdkk8s.1');
    });
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
