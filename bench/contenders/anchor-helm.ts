/**
 * Contender "anchor-helm": what a skilled user writes without this library when the output must deploy at
 * any size. The same raw aws-eks-v2 Cluster, kubectl provider and managed node group as the "anchor"
 * contender; the same N cdk8s-plus-28 web services in charts of SERVICES_PER_CHART; but every chart is
 * synthesized by cdk8s into the templates/ of its own Helm chart directory (a Chart.yaml next to it),
 * shipped as an S3 Asset (zipped by the CDK) and installed with `cluster.addHelmChart({ chartAsset })`: one
 * Helm release per chart, so the template holds only the assets' URLs.
 *
 * The chart directories are written under a temporary directory that the script removes after synthesis (the
 * CDK has then staged its own copy into the cloud assembly). No `{{` escaping: the services hold none.
 * Run: node anchor-helm.js <N> <outdir>
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cdk8s from 'cdk8s';
import { addPlusServices, contenderArgs, serviceGroups } from './private/plus-services';

const { count, outdir } = contenderArgs();
const app = new App({ outdir });
const stack = new Stack(app, 'anchor-helm');
const cluster = new eks.Cluster(stack, 'Cluster', {
  version: eks.KubernetesVersion.V1_35,
  kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer') },
  defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
  defaultCapacity: 0,
});
cluster.addNodegroupCapacity('Nodes', { minSize: 2, maxSize: 6, instanceTypes: [new ec2.InstanceType('m6i.large')] });

const charts = fs.mkdtempSync(path.join(os.tmpdir(), 'anchor-helm-'));
try {
  for (const group of serviceGroups(count)) {
    const dir = path.join(charts, group.name);
    const k8s = new cdk8s.App({ outdir: path.join(dir, 'templates') });
    addPlusServices(new cdk8s.Chart(k8s, group.name, { namespace: 'shop' }), group);
    k8s.synth();
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${group.name}\nversion: 0.1.0\n`);
    cluster.addHelmChart(group.name, {
      chartAsset: new s3assets.Asset(stack, `${group.name}-chart`, { path: dir }),
      release: group.name,
      namespace: 'shop',
      createNamespace: true,
      atomic: true,
      wait: true,
    });
  }
  app.synth();
} finally {
  fs.rmSync(charts, { recursive: true, force: true });
}
