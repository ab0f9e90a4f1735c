import * as fs from 'fs';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, CfnWaitConditionHandle, Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { parseDocuments, readTree, renderHelmTemplate, tmpOutdir } from './helpers';
import { addWebService, webServiceCharts } from './web-services';
import { DeliveryLabels, HelmChartDelivery, HelmChartDirectory } from '../../lib/delivery';
import { prepareObjects } from '../../lib/delivery/private/render';
import { ClusterTraits, PlatformChart, synthesizeManifests } from '../../lib/workloads';
import { expectValidManifests } from '../support/k8s-check';

function eksStack(app: App, id = 'eks'): { stack: Stack; cluster: eks.Cluster } {
  const stack = new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer') },
  });
  return { stack, cluster };
}

/** Objects of a chart directory in cdk.out, rendered as Helm would. */
function deliveredObjects(dir: string, delivery: HelmChartDelivery): unknown[] {
  const files = readTree(dir);
  expect([...files.keys()].sort()).toEqual([...delivery.chart.files.keys()].sort());
  return delivery.chart.templateFiles.flatMap(f => parseDocuments(renderHelmTemplate(files.get(f)!)));
}

describe('HelmChartDelivery on an aws-eks-v2 cluster', () => {
  let template: Template;
  let assemblyDir: string;
  let shop: HelmChartDelivery;
  let charts: Chart[];
  let controller: eks.HelmChart;

  beforeAll(() => {
    const app = new App({ outdir: tmpOutdir() });
    const { stack, cluster } = eksStack(app);
    controller = cluster.addHelmChart('Controller', { chart: 'aws-load-balancer-controller', repository: 'https://aws.github.io/eks-charts', version: '1.13.0', namespace: 'kube-system' });
    const k8s = new K8sApp();
    const web = new PlatformChart(k8s, 'web', { traits: ClusterTraits.eks() });
    addWebService(web, 'front', 'shop');
    addWebService(web, 'api', 'shop');
    new ApiObject(web, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { [DeliveryLabels.MANAGED_BY]: 'someone-else' } } });
    const cfg = new Chart(k8s, 'cfg');
    new ApiObject(cfg, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'templated', namespace: 'shop' }, data: { 'index.html': '<p>{{ not a helm value }}</p>' } });
    charts = [web, cfg];
    shop = new HelmChartDelivery(stack, 'Shop', { cluster, charts, dependsOn: [controller] });
    new HelmChartDelivery(stack, 'Batch', {
      cluster, charts: webServiceCharts(2, { prefix: 'job' }), releaseName: 'batch-jobs', namespace: 'platform', timeout: Duration.minutes(5),
    });
    assemblyDir = app.synth().directory;
    template = Template.fromStack(stack);
  });

  test('installs the chart asset with atomic, wait, a 10-minute timeout and the release name from the id', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      ClusterName: Match.anyValue(),
      Release: 'shop',
      ChartAssetURL: `s3://cdk-hnb659fds-assets-111111111111-eu-west-1/${shop.asset.assetHash}.zip`,
      Namespace: 'default',
      CreateNamespace: true,
      Atomic: true,
      Wait: true,
      Timeout: '600s',
      Chart: Match.absent(),
      Repository: Match.absent(),
      Version: Match.absent(),
      Values: Match.absent(),
    });
  });

  test('honours releaseName, namespace and timeout', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Release: 'batch-jobs', Namespace: 'platform', Timeout: '300s', Atomic: true });
  });

  test('is ordered after dependsOn', () => {
    const stack = Stack.of(shop);
    const releaseId = stack.getLogicalId(shop.helmChart.node.defaultChild as never);
    const controllerId = stack.getLogicalId(controller.node.defaultChild as never);
    const resource = template.toJSON().Resources[releaseId];
    expect(resource.DependsOn).toEqual(expect.arrayContaining([controllerId]));
  });

  test('the kubectl role may read the chart asset', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })]) },
    });
  });

  test('the chart in the asset holds exactly the synthesized objects, labelled, escaped for Helm', () => {
    const delivered = deliveredObjects(path.join(assemblyDir, shop.asset.assetPath), shop);
    // namespaces are kept when they leave the release (they hold the claims of their StatefulSets)
    const kept = (o: { kind: string }) => (o.kind === 'Namespace' ? { annotations: { 'helm.sh/resource-policy': 'keep' } } : {});
    const expected = synthesizeManifests(charts).flatMap(m => m.objects).map(o => ({
      ...o,
      metadata: { ...o.metadata, ...kept(o), labels: { [DeliveryLabels.MANAGED_BY]: 'cdk-k8s-platform', [DeliveryLabels.DELIVERY]: 'shop', ...(o.metadata.labels as object) } },
    }));
    expect(delivered).toEqual(expected);
    expect(delivered).toContainEqual(expect.objectContaining({ data: { 'index.html': '<p>{{ not a helm value }}</p>' } }));
    // a label set in the code wins
    expect(delivered).toContainEqual(expect.objectContaining({
      kind: 'Namespace',
      metadata: { name: 'shop', annotations: { 'helm.sh/resource-policy': 'keep' }, labels: { [DeliveryLabels.MANAGED_BY]: 'someone-else', [DeliveryLabels.DELIVERY]: 'shop' } },
    }));
  });

  test('the staged chart keeps its files on disk only: read back from the asset, as rendered', () => {
    const staged = path.join(assemblyDir, shop.asset.assetPath);
    expect(shop.chart.directory).toBe(staged);
    const rendered = HelmChartDirectory.render(prepareObjects(new Construct(new App(), 'Shop'), 'HelmChartDelivery', synthesizeManifests(charts), 'shop'),
      { chartName: 'shop' });
    expect(shop.chart.files).toEqual(rendered.files);
    expect(shop.chart.templateFiles).toEqual(rendered.templateFiles);
    expect(shop.chart.totalBytes).toBe(rendered.totalBytes);
    expect(shop.chart.contentHash).toBe(rendered.contentHash);
    // what `files` returns comes from the staged directory, not from a copy held since synthesis
    const chartYaml = path.join(staged, 'Chart.yaml');
    const original = fs.readFileSync(chartYaml, 'utf-8');
    try {
      fs.writeFileSync(chartYaml, `${original}# changed on disk\n`);
      expect(shop.chart.files.get('Chart.yaml')).toBe(`${original}# changed on disk\n`);
    } finally {
      fs.writeFileSync(chartYaml, original);
    }
  });

  test('the delivered chart passes the manifest checks (schema, restricted, cross references)', () => {
    const delivered = deliveredObjects(path.join(assemblyDir, shop.asset.assetPath), shop).filter(o => (o as { kind: string }).kind !== 'Namespace');
    expectValidManifests(delivered);
  });

  test('the asset is deterministic: the same charts give the same asset hash', () => {
    const again = new App({ outdir: tmpOutdir() });
    const { stack, cluster } = eksStack(again);
    const k8s = new K8sApp();
    const web = new PlatformChart(k8s, 'web', { traits: ClusterTraits.eks() });
    addWebService(web, 'front', 'shop');
    addWebService(web, 'api', 'shop');
    new ApiObject(web, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { [DeliveryLabels.MANAGED_BY]: 'someone-else' } } });
    const cfg = new Chart(k8s, 'cfg');
    new ApiObject(cfg, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'templated', namespace: 'shop' }, data: { 'index.html': '<p>{{ not a helm value }}</p>' } });
    const d = new HelmChartDelivery(stack, 'Shop', { cluster, charts: [web, cfg] });
    expect(d.asset.assetHash).toBe(shop.asset.assetHash);
    addWebService(cfg, 'extra', 'shop');
    const changed = new HelmChartDelivery(stack, 'Shop2', { cluster, charts: [web, cfg], releaseName: 'shop-2' });
    expect(changed.asset.assetHash).not.toBe(shop.asset.assetHash);
  });
});

describe('HelmChartDelivery validation', () => {
  let stack: Stack;
  let cluster: eks.Cluster;
  beforeAll(() => {
    ({ stack, cluster } = eksStack(new App({ outdir: tmpOutdir() })));
  });
  const charts = () => webServiceCharts(1, { app: new K8sApp() });

  test.each([
    ['Shop', undefined, /\[eks\/R4\] HelmChartDelivery\.releaseName is "Shop": must be a Helm release name: a DNS-1123 label of at most 53/],
    ['a'.repeat(54), undefined, /HelmChartDelivery\.releaseName is "a{54}": must be a Helm release name/],
    [undefined, '!!!', /HelmChartDelivery\.releaseName \(from the construct id\) is "": must be a Helm release name/],
  ])('rejects release name %s (id %s)', (releaseName, id, message) => {
    expect(() => new HelmChartDelivery(stack, id ?? `R${releaseName!.length}`, { cluster, charts: charts(), releaseName })).toThrow(message);
  });

  test('rejects an invalid namespace', () => {
    expect(() => new HelmChartDelivery(stack, 'Ns', { cluster, charts: charts(), namespace: 'Team_A' }))
      .toThrow(/\[eks\/Ns\] HelmChartDelivery\.namespace is "Team_A": must be a DNS-1123 label/);
  });

  test.each([[Duration.minutes(15), '15 minutes'], [Duration.seconds(30), '30 seconds']])('rejects timeout %s', (timeout, shown) => {
    expect(() => new HelmChartDelivery(stack, `T${timeout.toSeconds()}`, { cluster, charts: charts(), timeout }))
      .toThrow(`HelmChartDelivery.timeout is "${shown}": must be from 1 to 14 minutes: Helm runs inside the kubectl Lambda, which stops at 15 minutes`);
  });

  test('rejects no charts and charts without objects', () => {
    expect(() => new HelmChartDelivery(stack, 'None', { cluster, charts: [] })).toThrow(/HelmChartDelivery\.charts is \[\]: must be a non-empty list of cdk8s charts/);
    expect(() => new HelmChartDelivery(stack, 'Empty', { cluster, charts: [new Chart(new K8sApp(), 'empty')] }))
      .toThrow(/HelmChartDelivery\.charts is \["empty"\]: hold no Kubernetes objects/);
  });

  test('rejects a second delivery of the same release on the cluster', () => {
    new HelmChartDelivery(stack, 'One', { cluster, charts: charts(), releaseName: 'same' });
    expect(() => new HelmChartDelivery(stack, 'Two', { cluster, charts: charts(), releaseName: 'same' }))
      .toThrow(/HelmChartDelivery\.releaseName is "same": is already installed in namespace "default" of this cluster by eks\/One/);
  });

  test('rejects a release namespace that the charts create', () => {
    const chart = new Chart(new K8sApp(), 'ns');
    new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    expect(() => new HelmChartDelivery(stack, 'NsOwn', { cluster, charts: [chart], namespace: 'shop' }))
      .toThrow(/HelmChartDelivery\.namespace is "shop": is also created by the charts \(v1 Namespace shop \(chart "ns"\)\): Helm keeps its release record in the release namespace/);
  });

  test('rejects a CRD and its custom resources in one delivery', () => {
    const chart = new Chart(new K8sApp(), 'crd');
    new ApiObject(chart, 'crd', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', names: { kind: 'Widget' } } });
    new ApiObject(chart, 'w', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } });
    expect(() => new HelmChartDelivery(stack, 'Crd', { cluster, charts: [chart] }))
      .toThrow(/HelmChartDelivery\.charts is "example\.com\/v1 Widget shop\/w \(chart \\"crd\\"\)": is a custom resource of apiextensions\.k8s\.io\/v1 CustomResourceDefinition widgets\.example\.com \(chart "crd"\), which is in the same Helm release: Helm cannot install both in one release\. Put the CRDs in a chart of their own.*or deliver them first in their own HelmChartDelivery and pass it in dependsOn/);
  });

  test('rejects the same object twice', () => {
    const a = new Chart(new K8sApp(), 'a');
    new ApiObject(a, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' } });
    const b = new Chart(new K8sApp(), 'b');
    new ApiObject(b, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' } });
    expect(() => new HelmChartDelivery(stack, 'Dup', { cluster, charts: [a, b] }))
      .toThrow('[eks/Dup] HelmChartDelivery.charts: v1 ConfigMap x/cm (chart "b") is defined twice (also v1 ConfigMap x/cm (chart "a")): each object may be delivered once');
  });

  test('rejects CDK tokens in manifests (an asset file cannot carry deploy-time values)', () => {
    const chart = new Chart(new K8sApp(), 'tok');
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' }, data: { cluster: cluster.clusterName } });
    expect(() => new HelmChartDelivery(stack, 'Tok', { cluster, charts: [chart] }))
      .toThrow(/\[eks\/Tok\] HelmChartDelivery\.charts: v1 ConfigMap x\/cm \(chart "tok"\) contains a CDK token at \.data\.cluster: manifests are shipped as files in an S3 asset/);
  });

  test('finds number tokens too, at their path, and takes large plain numbers for what they are', () => {
    const chart = new Chart(new K8sApp(), 'num');
    new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'x' }, spec: { replicas: 2, limit: -1e300, ports: [{ port: Token.asNumber(cluster.clusterName) }] } });
    expect(() => new HelmChartDelivery(stack, 'Num', { cluster, charts: [chart] }))
      .toThrow(/\[eks\/Num\] HelmChartDelivery\.charts: apps\/v1 Deployment x\/d \(chart "num"\) contains a CDK token at \.spec\.ports\[0\]\.port: /);
    const plain = new Chart(new K8sApp(), 'plain');
    new ApiObject(plain, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'x' }, spec: { tiny: -1e300, huge: 1e300 } });
    expect(() => new HelmChartDelivery(stack, 'Plain', { cluster, charts: [plain] })).not.toThrow();
  });

  test('runs the workload validations before delivery', () => {
    const k8s = new K8sApp();
    const chart = new PlatformChart(k8s, 'bad', { traits: ClusterTraits.eks() });
    chart.node.addValidation({ validate: () => ['broken on purpose'] });
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    expect(() => new HelmChartDelivery(stack, 'Bad', { cluster, charts: [chart] })).toThrow(/\[bad\] broken on purpose/);
  });
});

test('HelmChartDelivery applies the deployment budget to its stack', () => {
  const app = new App({ outdir: tmpOutdir() });
  const { stack, cluster } = eksStack(app, 'crowded');
  new HelmChartDelivery(stack, 'Shop', { cluster, charts: webServiceCharts(1, { app: new K8sApp() }) });
  for (let i = 0; i < 500; i++) new CfnWaitConditionHandle(stack, `H${i}`);
  expect(() => app.synth()).toThrow(/\[crowded\] Stack "crowded": the template has 5\d\d resources, over the CloudFormation limit of 500 resources per stack/);
});
