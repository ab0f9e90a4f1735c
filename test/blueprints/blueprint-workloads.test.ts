/*
 * The eks-blueprints adapter without eks-blueprints: the main tree develops on a newer aws-cdk-lib than the
 * exact one eks-blueprints 1.19 pins, so it does not install it. Here the add-on runs against a plain
 * `aws-cdk-lib/aws-eks` (v1) cluster with a kubectl layer (what a blueprint builds) and a
 * `BlueprintClusterInfo` made of that cluster and scheduled add-on constructs. The same add-on inside a real
 * blueprint, and its types against eks-blueprints' own, are tested by `npm run test:blueprints`
 * (test/blueprints-app/app.ts, on the versions eks-blueprints pins).
 */
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import { App as K8sApp } from 'cdk8s';
import { Construct } from 'constructs';
import { BlueprintClusterInfo, BlueprintWorkloads, PlatformWorkloadsAddOn, PlatformWorkloadsAddOnProps } from '../../lib/blueprints';
import { DeploymentBudget } from '../../lib/delivery';
import { ClusterTraits, PlatformChart, synthesizeManifests } from '../../lib/workloads';
import { parseDocuments, readTree, renderHelmTemplate, tmpOutdir } from '../delivery/helpers';
import { addWebService } from '../delivery/web-services';

const ENV = { account: '111111111111', region: 'eu-west-1' };
/** The add-ons a blueprint would have scheduled before the workloads, in order. */
const PRIOR_ADD_ONS = ['AwsLoadBalancerControllerAddOn', 'MetricsServerAddOn', 'EbsCsiDriverAddOn'];

function shopChart(k8s: K8sApp, traits = BlueprintWorkloads.traits()): PlatformChart {
  const chart = new PlatformChart(k8s, 'shop', { traits });
  addWebService(chart, 'front', 'shop');
  addWebService(chart, 'api', 'shop');
  return chart;
}

/** A blueprint-like stack: a v1 cluster with a kubectl layer and the constructs of the add-ons scheduled before. */
function blueprintLike(): { stack: Stack; cluster: eks.Cluster; info: BlueprintClusterInfo; addOns: Map<string, Construct> } {
  const stack = new Stack(new App({ outdir: tmpOutdir() }), 'blueprint', { env: ENV });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer'),
    defaultCapacity: 0,
  });
  const addOns = new Map<string, Construct>([
    ['AwsLoadBalancerControllerAddOn', cluster.addHelmChart('Alb', { chart: 'aws-load-balancer-controller', repository: 'https://aws.github.io/eks-charts', version: '3.4.0' })],
    ['MetricsServerAddOn', cluster.addHelmChart('Metrics', { chart: 'metrics-server', repository: 'https://kubernetes-sigs.github.io/metrics-server', version: '3.13.1' })],
    ['EbsCsiDriverAddOn', new eks.CfnAddon(stack, 'EbsCsi', { clusterName: cluster.clusterName, addonName: 'aws-ebs-csi-driver', addonVersion: 'v1.56.0-eksbuild.1' })],
  ]);
  const scheduled = new Map([...addOns].map(([k, c]) => [k, Promise.resolve(c)]));
  return { stack, cluster, info: { cluster, getAllScheduledAddons: () => scheduled }, addOns };
}

async function deployAddOn(props: Omit<PlatformWorkloadsAddOnProps, 'charts'> = {}) {
  const bp = blueprintLike();
  const chart = shopChart(new K8sApp());
  const workloads = await new PlatformWorkloadsAddOn({ charts: [chart], ...props }).deploy(bp.info) as BlueprintWorkloads;
  return { ...bp, chart, workloads };
}

/** The logical id of an L2 construct's resource (or of an L1). */
function logicalId(stack: Stack, c: Construct): string {
  const resource = (c.node.tryFindChild('Resource') as Construct | undefined)?.node.defaultChild ?? c.node.defaultChild ?? c;
  return stack.getLogicalId(resource as never);
}

describe('PlatformWorkloadsAddOn on a blueprint-like aws-eks v1 cluster', () => {
  let deployed: Awaited<ReturnType<typeof deployAddOn>>;
  let template: Template;
  let assemblyDir: string;

  beforeAll(async () => {
    deployed = await deployAddOn({ releaseName: 'shop' });
    assemblyDir = (deployed.stack.node.root as App).synth().directory;
    template = Template.fromStack(deployed.stack);
  });

  test('deploy() resolves to a BlueprintWorkloads with the add-on id as construct id', () => {
    expect(deployed.workloads).toBeInstanceOf(BlueprintWorkloads);
    expect(deployed.workloads.node.id).toBe('PlatformWorkloads');
    expect(deployed.workloads.releaseName).toBe('shop');
  });

  test('the workloads are a Helm chart asset on the cluster (atomic, 10-minute timeout)', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Release: 'shop',
      ChartAssetURL: `s3://cdk-hnb659fds-assets-111111111111-eu-west-1/${deployed.workloads.asset.assetHash}.zip`,
      Namespace: 'default',
      Atomic: true,
      Wait: true,
      Timeout: '600s',
      Chart: Match.absent(),
      ClusterName: Match.anyValue(),
      RoleArn: Match.anyValue(),
    });
  });

  test('the release is ordered after every add-on scheduled before it (the default)', () => {
    const release = template.toJSON().Resources[logicalId(deployed.stack, deployed.workloads.helmChart)];
    for (const name of PRIOR_ADD_ONS) {
      const addOn = logicalId(deployed.stack, deployed.addOns.get(name)!);
      expect({ name, dependsOn: release.DependsOn }).toEqual({ name, dependsOn: expect.arrayContaining([addOn]) });
    }
  });

  test('the chart in the asset holds the synthesized objects, with the EKS traits (ALB ingress)', () => {
    const files = readTree(path.join(assemblyDir, deployed.workloads.asset.assetPath));
    type Delivered = { kind: string; metadata: { labels: Record<string, string> }; spec?: { ingressClassName?: string } };
    const delivered = deployed.workloads.chart.templateFiles.flatMap(f => parseDocuments(renderHelmTemplate(files.get(f)!))) as Delivered[];
    expect(delivered.map(({ metadata: { labels, ...m }, ...o }) => ({ ...o, metadata: m })))
      .toEqual(synthesizeManifests(deployed.chart).flatMap(m => m.objects).map(({ metadata: { labels, ...m }, ...o }) => ({ ...o, metadata: m })));
    expect(delivered.every(o => o.metadata.labels['platform.cdk-k8s.io/delivery'] === 'shop')).toBe(true);
    expect(deployed.chart.traits.ingressFlavour).toBe('alb');
    expect(deployed.chart.traits.storageClassName).toBe('gp3');
    expect(delivered.find(o => o.kind === 'Ingress')!.spec!.ingressClassName).toBe('alb');
  });

  test('nothing inline, and the stack is within budget', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('"kind":"Deployment"');
    expect(json).not.toContain('front.example.com');
    expect(DeploymentBudget.errors('blueprint', DeploymentBudget.measure(template.toJSON()))).toEqual([]);
  });
});

describe('PlatformWorkloadsAddOn options', () => {
  test('dependsOn orders the release after the named add-ons only', async () => {
    const { stack, workloads, addOns } = await deployAddOn({ dependsOn: ['MetricsServerAddOn'] });
    const release = Template.fromStack(stack).toJSON().Resources[logicalId(stack, workloads.helmChart)];
    expect(release.DependsOn).toEqual(expect.arrayContaining([logicalId(stack, addOns.get('MetricsServerAddOn')!)]));
    expect(release.DependsOn).not.toContain(logicalId(stack, addOns.get('AwsLoadBalancerControllerAddOn')!));
    expect(release.DependsOn).not.toContain(logicalId(stack, addOns.get('EbsCsiDriverAddOn')!));
  });

  test('id names the construct and the release by default; namespace and timeout are passed on', async () => {
    const { stack, workloads } = await deployAddOn({ id: 'ShopWorkloads', namespace: 'shop-system', timeout: Duration.minutes(5) });
    expect(workloads.node.id).toBe('ShopWorkloads');
    Template.fromStack(stack).hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Release: 'shopworkloads', Namespace: 'shop-system', CreateNamespace: true, Timeout: '300s',
    });
  });

  test('an unknown dependsOn add-on is refused with the list of add-ons', () => {
    const addOn = new PlatformWorkloadsAddOn({ charts: [shopChart(new K8sApp())], dependsOn: ['KarpenterAddOn'] });
    const stack = new Stack(new App({ outdir: tmpOutdir() }), 'bp');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', kubectlRoleArn: 'arn:aws:iam::111111111111:role/k' });
    const scheduled = new Map([['MetricsServerAddOn', Promise.resolve(new Construct(stack, 'M'))]]);
    expect(() => addOn.deploy({ cluster, getAllScheduledAddons: () => scheduled })).toThrow('[bp] PlatformWorkloadsAddOn.dependsOn is "KarpenterAddOn": no such add-on is listed before "PlatformWorkloads" in the blueprint (listed: ["MetricsServerAddOn"]); add it to addOns(...) before this add-on, or remove it from dependsOn.');
  });
});

describe('BlueprintWorkloads', () => {
  test('charts built for another cluster are refused', () => {
    const stack = new Stack(new App({ outdir: tmpOutdir() }), 's');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', kubectlRoleArn: 'arn:aws:iam::111111111111:role/k' });
    expect(() => new BlueprintWorkloads(stack, 'W', { cluster, charts: [shopChart(new K8sApp(), ClusterTraits.k3s())] }))
      .toThrow('[s/W] BlueprintWorkloads.charts is "shop": is built with traefik traits, but an eks-blueprints cluster routes with the AWS Load Balancer Controller: build it with BlueprintWorkloads.traits() (ClusterTraits.eks()).');
  });

  test('works on an imported v1 cluster, with dependsOn', () => {
    const stack = new Stack(new App({ outdir: tmpOutdir() }), 's', { env: ENV });
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', kubectlRoleArn: 'arn:aws:iam::111111111111:role/k' });
    const before = new eks.KubernetesManifest(stack, 'Crd', { cluster, manifest: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }] });
    new BlueprintWorkloads(stack, 'Workloads', { cluster, charts: [shopChart(new K8sApp())], dependsOn: [before] });
    const t = Template.fromStack(stack);
    t.hasResource('Custom::AWSCDK-EKS-HelmChart', {
      Properties: { Release: 'workloads', ClusterName: 'c', Atomic: true, ChartAssetURL: Match.stringLikeRegexp('^s3://.*\\.zip$') },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Crd')]),
    });
  });
});
