// Synthesis must be hermetic: any network use fails the test (and is recorded, in case a library swallows
// the error). sync-request (used by eks-blueprints to fetch YAML and Helm indexes) runs the request in a
// child process, so it is replaced as a module; in-process clients go through http/https/net/tls/dns.
const mockNetworkCalls: string[] = [];
jest.mock('sync-request', () => (method: string, url: string) => {
  mockNetworkCalls.push(`sync-request ${method} ${url}`);
  throw new Error(`network access at synth: sync-request ${method} ${url}`);
});

// required, not imported as namespaces: jest spies on their functions, and ES namespace objects are read-only
import dns = require('dns');
import http = require('http');
import https = require('https');
import net = require('net');
import * as path from 'path';
import tls = require('tls');
import * as blueprints from '@aws-quickstart/eks-blueprints';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import { App as K8sApp } from 'cdk8s';
import { Construct } from 'constructs';
import { BlueprintWorkloads, PlatformWorkloadsAddOn } from '../../lib/blueprints';
import { DeploymentBudget } from '../../lib/delivery';
import { ClusterTraits, PlatformChart, synthesizeManifests } from '../../lib/workloads';
import { parseDocuments, readTree, renderHelmTemplate, tmpOutdir } from '../delivery/helpers';
import { addWebService } from '../delivery/web-services';

/** Pinned versions: nothing is looked up at synth. */
const VERSIONS = { albController: '3.4.0', metricsServer: '3.13.1', ebsCsi: 'v1.56.0-eksbuild.1' };

function blockNetwork(): jest.SpyInstance[] {
  const block = (name: string) => (...args: unknown[]) => {
    mockNetworkCalls.push(`${name} ${JSON.stringify(args[0])?.slice(0, 100)}`);
    throw new Error(`network access at synth: ${name}`);
  };
  return [
    jest.spyOn(http, 'request').mockImplementation(block('http.request')),
    jest.spyOn(http, 'get').mockImplementation(block('http.get')),
    jest.spyOn(https, 'request').mockImplementation(block('https.request')),
    jest.spyOn(https, 'get').mockImplementation(block('https.get')),
    jest.spyOn(net, 'connect').mockImplementation(block('net.connect')),
    jest.spyOn(net, 'createConnection').mockImplementation(block('net.createConnection')),
    jest.spyOn(tls, 'connect').mockImplementation(block('tls.connect')),
    jest.spyOn(dns, 'lookup').mockImplementation(block('dns.lookup')),
  ];
}

function shopChart(k8s: K8sApp, traits = BlueprintWorkloads.traits()): PlatformChart {
  const chart = new PlatformChart(k8s, 'shop', { traits });
  addWebService(chart, 'front', 'shop');
  addWebService(chart, 'api', 'shop');
  return chart;
}

describe('PlatformWorkloadsAddOn on an eks-blueprints cluster', () => {
  let blueprint: blueprints.EksBlueprint;
  let template: Template;
  let assemblyDir: string;
  let chart: PlatformChart;
  let spies: jest.SpyInstance[];

  beforeAll(async () => {
    spies = blockNetwork();
    const app = new App({ outdir: tmpOutdir() });
    chart = shopChart(new K8sApp());
    blueprint = await blueprints.EksBlueprint.builder()
      .account('111111111111').region('eu-west-1')
      .version(eks.KubernetesVersion.V1_33)
      .addOns(
        new blueprints.AwsLoadBalancerControllerAddOn({ version: VERSIONS.albController }),
        new blueprints.MetricsServerAddOn({ version: VERSIONS.metricsServer }),
        new blueprints.EbsCsiDriverAddOn({ version: VERSIONS.ebsCsi }),
        new PlatformWorkloadsAddOn({ charts: [chart], releaseName: 'shop' }),
      )
      .buildAsync(app, 'blueprint');
    assemblyDir = app.synth().directory;
    template = Template.fromStack(blueprint);
  }, 60_000);

  afterAll(() => spies.forEach(s => s.mockRestore()));

  test('synthesis made no network call (add-on versions pinned)', () => {
    expect(mockNetworkCalls).toEqual([]);
    expect(blueprints.HelmAddOn.validateHelmVersions).toBe(false);
  });

  test('the blocker works: a network call during a test is caught', () => {
    expect(() => https.get('https://aws.github.io/eks-charts/index.yaml')).toThrow(/network access at synth/);
    expect(() => blueprints.utils.loadExternalYaml('https://example.com/x.yaml')).toThrow(/network access at synth: sync-request GET/);
    mockNetworkCalls.length = 0;
  });

  test('the workloads are a Helm chart asset on the blueprint cluster (atomic, 10-minute timeout)', () => {
    const workloads = blueprint.getClusterInfo().getProvisionedAddOn('PlatformWorkloads') as BlueprintWorkloads;
    expect(workloads).toBeInstanceOf(BlueprintWorkloads);
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Release: 'shop',
      ChartAssetURL: `s3://cdk-hnb659fds-assets-111111111111-eu-west-1/${workloads.asset.assetHash}.zip`,
      Namespace: 'default',
      Atomic: true,
      Wait: true,
      Timeout: '600s',
      Chart: Match.absent(),
      ClusterName: Match.anyValue(),
      RoleArn: Match.anyValue(),
    });
    // the add-ons pinned, as given
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'aws-load-balancer-controller', Version: VERSIONS.albController });
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'metrics-server', Version: VERSIONS.metricsServer });
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'aws-ebs-csi-driver', AddonVersion: VERSIONS.ebsCsi });
  });

  test('the release is ordered after the controllers, metrics-server and the EBS CSI StorageClass', () => {
    const info = blueprint.getClusterInfo();
    const workloads = info.getProvisionedAddOn('PlatformWorkloads') as BlueprintWorkloads;
    const logicalId = (c: Construct) => blueprint.getLogicalId((c.node.tryFindChild('Resource') as Construct | undefined)?.node.defaultChild as never ?? c.node.defaultChild as never);
    const release = template.toJSON().Resources[logicalId(workloads.helmChart)];
    for (const name of ['AwsLoadBalancerControllerAddOn', 'MetricsServerAddOn', 'EbsCsiDriverAddOn']) {
      const dep = info.getProvisionedAddOn(name)!;
      expect(release.DependsOn).toEqual(expect.arrayContaining([logicalId(dep)]));
    }
  });

  test('the chart in the asset holds the synthesized objects, with the EKS traits (ALB ingress)', () => {
    const workloads = blueprint.getClusterInfo().getProvisionedAddOn('PlatformWorkloads') as BlueprintWorkloads;
    const files = readTree(path.join(assemblyDir, workloads.asset.assetPath));
    type Delivered = { kind: string; metadata: { labels: Record<string, string> }; spec?: { ingressClassName?: string } };
    const delivered = workloads.chart.templateFiles.flatMap(f => parseDocuments(renderHelmTemplate(files.get(f)!))) as Delivered[];
    expect(delivered.map(({ metadata: { labels, ...m }, ...o }) => ({ ...o, metadata: m })))
      .toEqual(synthesizeManifests(chart).flatMap(m => m.objects).map(({ metadata: { labels, ...m }, ...o }) => ({ ...o, metadata: m })));
    expect(delivered.every(o => o.metadata.labels['platform.cdk-k8s.io/delivery'] === 'shop')).toBe(true);
    expect(chart.traits.ingressFlavour.name).toBe('alb');
    expect(chart.traits.storageClassName).toBe('gp3');
    expect(delivered.find(o => o.kind === 'Ingress')!.spec!.ingressClassName).toBe('alb');
  });

  test('nothing inline, and the blueprint stack is within budget', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('"kind":"Deployment"');
    expect(json).not.toContain('front.example.com');
    const m = DeploymentBudget.measure(template.toJSON());
    expect(DeploymentBudget.errors('blueprint', m)).toEqual([]);
  });
});

describe('BlueprintWorkloads and the add-on: errors', () => {
  test('charts built for another cluster are refused', () => {
    const stack = new Stack(new App({ outdir: tmpOutdir() }), 's');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', kubectlRoleArn: 'arn:aws:iam::111111111111:role/k' });
    expect(() => new BlueprintWorkloads(stack, 'W', { cluster, charts: [shopChart(new K8sApp(), ClusterTraits.k3s())] }))
      .toThrow('[s/W] BlueprintWorkloads.charts is "shop": is built with traefik traits, but an eks-blueprints cluster routes with the AWS Load Balancer Controller: build it with BlueprintWorkloads.traits() (ClusterTraits.eks()).');
  });

  test('BlueprintWorkloads works on an imported v1 cluster, with dependsOn', () => {
    const stack = new Stack(new App({ outdir: tmpOutdir() }), 's', { env: { account: '111111111111', region: 'eu-west-1' } });
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', kubectlRoleArn: 'arn:aws:iam::111111111111:role/k' });
    const before = new eks.KubernetesManifest(stack, 'Crd', { cluster, manifest: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }] });
    new BlueprintWorkloads(stack, 'Workloads', { cluster, charts: [shopChart(new K8sApp())], dependsOn: [before] });
    const t = Template.fromStack(stack);
    t.hasResource('Custom::AWSCDK-EKS-HelmChart', {
      Properties: { Release: 'workloads', ClusterName: 'c', Atomic: true, ChartAssetURL: Match.stringLikeRegexp('^s3://.*\\.zip$') },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Crd')]),
    });
  });

  test('an unknown dependsOn add-on is refused with the list of add-ons', () => {
    const addOn = new PlatformWorkloadsAddOn({ charts: [shopChart(new K8sApp())], dependsOn: ['KarpenterAddOn'] });
    const stack = new Stack(new App({ outdir: tmpOutdir() }), 'bp');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', kubectlRoleArn: 'arn:aws:iam::111111111111:role/k' });
    const info = new blueprints.ClusterInfo(cluster, eks.KubernetesVersion.V1_33);
    info.addScheduledAddOn('MetricsServerAddOn', Promise.resolve(new Construct(stack, 'M')), false);
    expect(() => addOn.deploy(info)).toThrow('[bp] PlatformWorkloadsAddOn.dependsOn is "KarpenterAddOn": no such add-on is listed before "PlatformWorkloads" in the blueprint (listed: ["MetricsServerAddOn"]); add it to addOns(...) before this add-on, or remove it from dependsOn.');
  });
});
