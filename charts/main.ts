/**
 * Writes the sample workloads as plain YAML for `kubectl apply` or GitOps, one folder per cluster kind:
 * charts/dist/<kind>/<chart>.k8s.yaml. Run with `npm run charts`.
 */
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { sampleWorkloads } from './samples';
import { ClusterTraits } from '../lib';

const targets: Record<string, ClusterTraits> = {
  eks: ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }),
  k3s: ClusterTraits.k3s(),
  nginx: ClusterTraits.nginx(),
};

for (const [kind, traits] of Object.entries(targets)) {
  const app = new App({ outdir: path.join(__dirname, 'dist', kind), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  sampleWorkloads(app, traits);
  app.synth();
  process.stdout.write(`charts/dist/${kind}: ${app.charts.map(c => `${c.node.id}.k8s.yaml`).join(', ')}\n`);
}
