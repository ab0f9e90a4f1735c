import * as fs from 'fs';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { App as K8sApp, Chart } from 'cdk8s';
import { tmpOutdir } from './helpers';
import { webServiceCharts } from './web-services';
import { DeploymentBudget, HelmChartDelivery, TemplateMeasurement } from '../../lib/delivery';
import { synthesizeManifests } from '../../lib/workloads';

const SERVICES = 1000;

function eksStack(app: App, id: string): { stack: Stack; cluster: eks.Cluster } {
  const stack = new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer') },
  });
  return { stack, cluster };
}

describe('1000 web services from one platform stack', () => {
  let measured: TemplateMeasurement;
  let templateText: string;
  let template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  let delivery: HelmChartDelivery;
  let assetDir: string;

  beforeAll(() => {
    const app = new App({ outdir: tmpOutdir() });
    const { stack, cluster } = eksStack(app, 'scale');
    delivery = new HelmChartDelivery(stack, 'Workloads', { cluster, charts: webServiceCharts(SERVICES, { chartCount: 10 }) });
    const assembly = app.synth();
    const artifact = assembly.getStackByName('scale');
    templateText = fs.readFileSync(artifact.templateFullPath, 'utf-8');
    template = artifact.template;
    measured = DeploymentBudget.measure(template);
    assetDir = path.join(assembly.directory, delivery.asset.assetPath);
  });

  test('every object of the 1000 services is in the chart asset', () => {
    expect(delivery.chart.objectCount).toBe(SERVICES * 5);
    expect(delivery.chart.totalBytes).toBeGreaterThan(SERVICES * 3000);
    const templates = fs.readdirSync(path.join(assetDir, 'templates'));
    expect(templates).toHaveLength(delivery.chart.templateFiles.length);
    for (const f of templates) expect(fs.statSync(path.join(assetDir, 'templates', f)).size).toBeLessThanOrEqual(128 * 1024);
  });

  test('the template is within the CloudFormation quotas', () => {
    expect(measured.templateBytes).toBe(Buffer.byteLength(templateText));
    expect(measured.templateBytes).toBeLessThan(DeploymentBudget.MAX_TEMPLATE_BYTES);
    expect(measured.resourceCount).toBeLessThan(DeploymentBudget.MAX_RESOURCES);
    expect(measured.outputCount).toBeLessThanOrEqual(DeploymentBudget.MAX_OUTPUTS);
    expect(measured.parameterCount).toBeLessThanOrEqual(DeploymentBudget.MAX_PARAMETERS);
    // the delivery adds a handful of resources, not one per service
    expect(Object.values(template.Resources).filter(r => r.Type === 'Custom::AWSCDK-EKS-HelmChart')).toHaveLength(1);
  });

  test('the largest custom resource event is within the Lambda Event payload limit', () => {
    expect(measured.largestCustomResource).toBeDefined();
    expect(measured.largestCustomResource!.eventBytes).toBeLessThan(DeploymentBudget.MAX_EVENT_BYTES);
    const helm = measured.customResources.find(c => c.type === 'Custom::AWSCDK-EKS-HelmChart')!;
    expect(helm.propertyBytes).toBeLessThan(2_000);
  });

  test('the Helm release record fits in one Secret', () => {
    expect(delivery.releaseRecordBytes).toBeLessThan(1_000_000);
  });

  test('no template contains an inline chart or manifest', () => {
    const compact = JSON.stringify(template);
    for (const needle of ['"kind":"Deployment"', '"kind":"Service"', '"kind":"Ingress"', '"kind":"HorizontalPodAutoscaler"',
      'kind: Deployment', 'svc-0001', 'public.ecr.aws/nginx', '\\"kind\\":\\"Deployment\\"']) {
      expect(compact).not.toContain(needle);
    }
    expect(Object.values(template.Resources).filter(r => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource')).toHaveLength(0);
  });
});

describe('the budget check', () => {
  test('fails synthesis of a stack that inlines a huge KubernetesManifest', () => {
    const app = new App({ outdir: tmpOutdir() });
    const { stack, cluster } = eksStack(app, 'inline');
    const objects = synthesizeManifests(webServiceCharts(100, { app: new K8sApp() })).flatMap(m => m.objects);
    new eks.KubernetesManifest(stack, 'Inline', { cluster, manifest: objects as unknown as Record<string, unknown>[] });
    DeploymentBudget.apply(app);
    expect(() => app.synth()).toThrow(
      /\[inline\] Stack "inline": custom resource Inline[0-9A-F]{8} \(Custom::AWSCDK-EKS-KubernetesResource\) has [\d,]+ bytes of properties; its update event \(old and new properties \+ 2,048 bytes of envelope = [\d,]+ bytes\) is over the Lambda Event payload limit of 262,144 bytes, so CloudFormation cannot invoke its handler\. Do not inline manifests .* ship them as an S3 asset with HelmChartDelivery/s);
  });

  test('a chart the size of the 1000 services, inlined, breaks the template limit as well', () => {
    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'big');
    const charts: Chart[] = webServiceCharts(300, { app: new K8sApp() });
    new CfnResource(stack, 'Big', { type: 'Custom::Big', properties: { Manifest: JSON.stringify(synthesizeManifests(charts)) } });
    DeploymentBudget.apply(stack);
    expect(() => app.synth()).toThrow(/Stack "big": the template is [\d,]+ bytes, over the CloudFormation limit of 1,048,576 bytes \(1 MiB template body, uploaded through S3\)\. Ship manifests as S3 assets/);
  });
});
