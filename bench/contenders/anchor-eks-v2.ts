/**
 * Contender "anchor": the raw aws-eks-v2 way, as the aws-cdk docs show it: a Cluster with a kubectl
 * provider, a managed node group, and `addCdk8sChart` of N cdk8s-plus-28 web services in charts of
 * SERVICES_PER_CHART (each chart inlined whole into one custom resource).
 * Run: node anchor-eks-v2.js <N> <outdir>
 */
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as cdk8s from 'cdk8s';
import { addPlusServices, contenderArgs, serviceGroups } from './private/plus-services';

const { count, outdir } = contenderArgs();
const app = new App({ outdir });
const stack = new Stack(app, 'anchor-eks');
const cluster = new eks.Cluster(stack, 'Cluster', {
  version: eks.KubernetesVersion.V1_35,
  kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer') },
  defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
  defaultCapacity: 0,
});
cluster.addNodegroupCapacity('Nodes', { minSize: 2, maxSize: 6, instanceTypes: [new ec2.InstanceType('m6i.large')] });
const cdk8sApp = new cdk8s.App();
for (const group of serviceGroups(count)) {
  const chart = new cdk8s.Chart(cdk8sApp, group.name, { namespace: 'shop' });
  addPlusServices(chart, group);
  cluster.addCdk8sChart(group.name, chart);
}
app.synth();
