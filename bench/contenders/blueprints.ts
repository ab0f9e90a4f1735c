/**
 * Contender "blueprints": @aws-quickstart/eks-blueprints 1.19 with 7 add-ons, every version pinned so that
 * synthesis is hermetic (no AWS lookups of "auto" versions), plus `addCdk8sChart` of the same N
 * cdk8s-plus-28 web services (charts of SERVICES_PER_CHART) on the blueprint's (aws-eks v1) cluster.
 * Run: node blueprints.js <N> <outdir>
 */
import * as blueprints from '@aws-quickstart/eks-blueprints';
import { App } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as cdk8s from 'cdk8s';
import { addPlusServices, contenderArgs, serviceGroups } from './private/plus-services';

async function main(): Promise<void> {
  const { count, outdir } = contenderArgs();
  const app = new App({ outdir });
  const stack = blueprints.EksBlueprint.builder()
    .version(eks.KubernetesVersion.V1_35)
    .addOns(
      new blueprints.addons.VpcCniAddOn({ version: 'v1.21.1-eksbuild.3' }),
      new blueprints.addons.CoreDnsAddOn('v1.14.2-eksbuild.4'),
      new blueprints.addons.KubeProxyAddOn('v1.35.3-eksbuild.2'),
      new blueprints.addons.EbsCsiDriverAddOn({ version: 'v1.66.0-eksbuild.1' }),
      new blueprints.addons.MetricsServerAddOn({ version: '3.13.1' }),
      new blueprints.addons.AwsLoadBalancerControllerAddOn({ version: '3.2.2' }),
      new blueprints.addons.ClusterAutoScalerAddOn({ version: '9.54.0' }),
    )
    .build(app, 'blueprints-eks');
  await stack.waitForAsyncTasks();
  const k8s = new cdk8s.App();
  for (const group of serviceGroups(count)) {
    const chart = new cdk8s.Chart(k8s, group.name, { namespace: 'shop' });
    addPlusServices(chart, group);
    stack.getClusterInfo().cluster.addCdk8sChart(group.name, chart);
  }
  app.synth();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
