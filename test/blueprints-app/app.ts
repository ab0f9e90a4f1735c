/*
 * The eks-blueprints adapter in an app on the exact versions @aws-quickstart/eks-blueprints 1.19.0 pins
 * (aws-cdk-lib 2.261.0; package.json here). Run by `npm run test:blueprints` (scripts/blueprints-test.ts),
 * which installs this folder and the packed library into a temporary folder, type-checks this file with tsc
 * and runs it. It prints one line per check and "N passed, N failed"; it exits 1 if a check fails.
 *
 * The type checks are the compile step itself: `PlatformWorkloadsAddOn` is passed to blueprints' `addOns(...)`
 * and assigned to its `ClusterAddOn`, and blueprints' `ClusterInfo` to the library's `BlueprintClusterInfo`.
 * What does not need eks-blueprints is tested in the main suite (test/blueprints/).
 */
import { networkCalls } from './hermetic'; // first: blocks the network before eks-blueprints loads
import assert from 'assert/strict';
import * as fs from 'fs';
import https = require('https');
import * as os from 'os';
import * as path from 'path';
import * as blueprints from '@aws-quickstart/eks-blueprints';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import { App as K8sApp } from 'cdk8s';
import { DeploymentBudget, PlatformChart, WebService } from 'cdk-k8s-platform';
import { BlueprintClusterInfo, BlueprintWorkloads, PlatformWorkloadsAddOn } from 'cdk-k8s-platform/blueprints';
import { Construct } from 'constructs';

// Type checks (compile time): the add-on is a blueprints ClusterAddOn, and blueprints' ClusterInfo has the
// members the add-on reads.
export const asClusterAddOn: blueprints.ClusterAddOn = new PlatformWorkloadsAddOn({ charts: [] });
export function asBlueprintClusterInfo(info: blueprints.ClusterInfo): BlueprintClusterInfo {
  return info;
}

/** Pinned versions: nothing is looked up at synth. */
const VERSIONS = { albController: '3.4.0', metricsServer: '3.13.1', ebsCsi: 'v1.56.0-eksbuild.1' };
const PRIOR_ADD_ONS = ['AwsLoadBalancerControllerAddOn', 'MetricsServerAddOn', 'EbsCsiDriverAddOn'];

function shopChart(): PlatformChart {
  const chart = new PlatformChart(new K8sApp(), 'shop', { traits: BlueprintWorkloads.traits(), namespace: 'shop' });
  new WebService(chart, 'front', { image: 'ghcr.io/acme/front:1.0.0', ingress: { hosts: ['front.example.com'] } });
  new WebService(chart, 'api', { image: 'ghcr.io/acme/api:1.0.0', ingress: { hosts: ['api.example.com'] } });
  return chart;
}

const results: Array<{ name: string; error?: string }> = [];

function check(name: string, body: () => void): void {
  try {
    body();
    results.push({ name });
  } catch (e) {
    results.push({ name, error: e instanceof Error ? e.message : String(e) });
  }
}

/** The logical id of an L2 construct's resource (or of an L1). */
function logicalId(stack: Stack, c: Construct): string {
  const resource = (c.node.tryFindChild('Resource') as Construct | undefined)?.node.defaultChild ?? c.node.defaultChild;
  return stack.getLogicalId(resource as never);
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

async function main(): Promise<void> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'blueprints-app-'));
  const app = new App({ outdir });
  const blueprint = await blueprints.EksBlueprint.builder()
    .account('111111111111').region('eu-west-1')
    .version(eks.KubernetesVersion.V1_33)
    .addOns(
      new blueprints.AwsLoadBalancerControllerAddOn({ version: VERSIONS.albController }),
      new blueprints.MetricsServerAddOn({ version: VERSIONS.metricsServer }),
      new blueprints.EbsCsiDriverAddOn({ version: VERSIONS.ebsCsi }),
      new PlatformWorkloadsAddOn({ charts: [shopChart()], releaseName: 'shop' }),
    )
    .buildAsync(app, 'blueprint');
  const assemblyDir = app.synth().directory;
  const template = Template.fromStack(blueprint);
  const info = blueprint.getClusterInfo();
  const workloads = info.getProvisionedAddOn('PlatformWorkloads') as BlueprintWorkloads;

  check('synthesis made no network call (add-on versions pinned)', () => {
    assert.deepEqual(networkCalls, []);
    assert.equal(blueprints.HelmAddOn.validateHelmVersions, false);
  });

  check('the blocker works: a network call is caught', () => {
    assert.throws(() => https.get('https://aws.github.io/eks-charts/index.yaml'), /network access at synth: https.get/);
    assert.throws(() => blueprints.utils.loadExternalYaml('https://example.com/x.yaml'), /network access at synth: sync-request GET/);
    networkCalls.length = 0;
  });

  check('the add-on is provisioned as a BlueprintWorkloads', () => {
    assert.ok(workloads instanceof BlueprintWorkloads, `getProvisionedAddOn('PlatformWorkloads') is ${String(workloads)}`);
  });

  check('the workloads are a Helm chart asset on the blueprint cluster (atomic, 10-minute timeout)', () => {
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
  });

  check('the other add-ons are pinned, as given', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'aws-load-balancer-controller', Version: VERSIONS.albController });
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'metrics-server', Version: VERSIONS.metricsServer });
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'aws-ebs-csi-driver', AddonVersion: VERSIONS.ebsCsi });
  });

  check('the release is ordered after the controllers, metrics-server and the EBS CSI driver', () => {
    const release = template.toJSON().Resources[logicalId(blueprint, workloads.helmChart)] as { DependsOn?: string[] };
    for (const name of PRIOR_ADD_ONS) {
      const dep = info.getProvisionedAddOn(name);
      assert.ok(dep, `add-on ${name} is not provisioned`);
      assert.ok(release.DependsOn?.includes(logicalId(blueprint, dep)), `the release does not depend on ${name}: DependsOn ${JSON.stringify(release.DependsOn)}`);
    }
  });

  check('the chart in the asset holds the workloads with the EKS traits (ALB ingress), labelled with the release', () => {
    const files = listFiles(path.join(assemblyDir, workloads.asset.assetPath)).filter(f => f.includes(`${path.sep}templates${path.sep}`));
    const text = files.map(f => fs.readFileSync(f, 'utf8')).join('\n---\n');
    for (const expected of ['kind: Deployment', 'kind: Ingress', 'ingressClassName: alb', 'platform.cdk-k8s.io/delivery: shop', 'front.example.com', 'api.example.com']) {
      assert.ok(text.includes(expected), `the chart's templates (${files.length} files) lack "${expected}"`);
    }
  });

  check('nothing inline, and the blueprint stack is within budget', () => {
    const json = JSON.stringify(template.toJSON());
    assert.ok(!json.includes('"kind":"Deployment"'), 'a Deployment is inlined in the template');
    assert.ok(!json.includes('front.example.com'), 'the workloads are inlined in the template');
    assert.deepEqual(DeploymentBudget.errors('blueprint', DeploymentBudget.measure(template.toJSON())), []);
  });

  check('dependsOn naming an add-on that is not in the blueprint is refused with the list of add-ons', () => {
    const stack = new Stack(new App({ outdir }), 'bp');
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'C', { clusterName: 'c', kubectlRoleArn: 'arn:aws:iam::111111111111:role/k' });
    const clusterInfo = new blueprints.ClusterInfo(cluster, eks.KubernetesVersion.V1_33);
    clusterInfo.addScheduledAddOn('MetricsServerAddOn', Promise.resolve(new Construct(stack, 'M')), false);
    const addOn = new PlatformWorkloadsAddOn({ charts: [shopChart()], dependsOn: ['KarpenterAddOn'] });
    assert.throws(() => addOn.deploy(clusterInfo), {
      message: '[bp] PlatformWorkloadsAddOn.dependsOn is "KarpenterAddOn": no such add-on is listed before "PlatformWorkloads" in the blueprint '
        + '(listed: ["MetricsServerAddOn"]); add it to addOns(...) before this add-on, or remove it from dependsOn.',
    });
  });

  check('synthesis made no network call in any check', () => assert.deepEqual(networkCalls, []));

  fs.rmSync(outdir, { recursive: true, force: true });
  for (const r of results) process.stdout.write(`${r.error ? 'not ok' : 'ok'} - ${r.name}${r.error ? `\n    ${r.error.split('\n').join('\n    ')}` : ''}\n`);
  const failed = results.filter(r => r.error).length;
  process.stdout.write(`blueprints-app: ${results.length - failed} passed, ${failed} failed\n`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`blueprints-app: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
