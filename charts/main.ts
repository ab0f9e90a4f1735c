/**
 * Writes the sample workloads for each cluster kind, for `kubectl apply`, `helm install` or GitOps (Argo CD):
 *
 * - charts/dist/<kind>/<chart>.k8s.yaml: the objects as plain YAML;
 * - charts/dist/<kind>/<chart>/: the same objects as a Helm chart (GitOpsHelmChart): Chart.yaml, values.yaml
 *   (images, replicas, autoscaling per workload), values.schema.json, values-<env>.yaml per environment of
 *   `sampleEnvironments`, and templates/.
 *
 * Run with `npm run charts`; commit charts/dist/<kind>/<chart>/ to the repository Argo CD syncs from.
 */
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { sampleEnvironments, sampleWorkloads } from './samples';
import { ClusterTraits, GitOpsHelmChart } from '../lib';

const targets: Record<string, ClusterTraits> = {
  eks: ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }),
  k3s: ClusterTraits.k3s(),
  nginx: ClusterTraits.nginx(),
};

for (const [kind, traits] of Object.entries(targets)) {
  const outdir = path.join(__dirname, 'dist', kind);
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const charts = sampleWorkloads(app, traits);
  app.synth();
  for (const chart of charts) {
    const helm = GitOpsHelmChart.render(chart, { environments: sampleEnvironments });
    helm.writeTo(path.join(outdir, helm.chartName));
    process.stdout.write(`charts/dist/${kind}/${chart.node.id}.k8s.yaml, charts/dist/${kind}/${helm.chartName}/ (Helm chart ${helm.version}, `
      + `${helm.files.size} files, workloads: ${helm.workloads.join(', ')})\n`);
  }
}
