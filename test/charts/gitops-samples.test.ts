/**
 * What `npm run charts` writes as Helm charts (charts/main.ts: GitOpsHelmChart of the samples with
 * `sampleEnvironments`), checked with the real helm: `helm lint --strict` and `helm template` with the default
 * values and every environment file, the rendered objects through the schema, Pod Security restricted and
 * cross-reference checks. Without helm these tests FAIL; they never skip.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { sampleEnvironments, sampleWorkloads } from '../../charts/samples';
import { ClusterTraits, GitOpsHelmChart, synthesizeManifests } from '../../lib';
import { useHelm } from '../support/helm';
import { expectValidManifests } from '../support/k8s-check';

const helm = useHelm();
const KEPT_KINDS = ['CustomResourceDefinition', 'PersistentVolumeClaim', 'PersistentVolume', 'Namespace'];
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-samples-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const find = (objects: any[], kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name);

describe.each([
  ['eks', ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' })],
  ['k3s', ClusterTraits.k3s()],
  ['nginx', ClusterTraits.nginx()],
])('the samples chart for %s', (kind, traits) => {
  const [chart] = sampleWorkloads(new App(), traits);
  const objects: any[] = synthesizeManifests(chart)[0].objects;
  const written = GitOpsHelmChart.render(chart, { environments: sampleEnvironments });
  const dir = path.join(root, kind, written.chartName);
  written.writeTo(dir);
  const environments = Object.keys(sampleEnvironments);

  test('has values-dev.yaml and values-prod.yaml next to values.yaml', () => {
    expect(environments).toEqual(['dev', 'prod']);
    expect(fs.readdirSync(dir).sort()).toEqual(['Chart.yaml', 'templates', 'values-dev.yaml', 'values-prod.yaml', 'values.schema.json', 'values.yaml']);
  });

  const valueSets: Array<[string, string | undefined]> = [['default values', undefined], ...environments.map((e): [string, string] => [`values-${e}.yaml`, e])];
  test.each(valueSets)(
    'with %s: helm lint --strict passes, helm template renders objects with zero findings', (_what, env) => {
      const files = env ? [path.join(dir, `values-${env}.yaml`)] : [];
      helm().lint(dir, files);
      const rendered = helm().template(dir, files, 'samples');
      expect(rendered).toHaveLength(objects.length);
      expectValidManifests(rendered, { failOnWarnings: true });
    });

  test('default values render the cdk8s objects; prod autoscales nginx 5-20 and runs 3 users; dev runs the least', () => {
    const byKey = (os2: any[]) => Object.fromEntries(os2.map(o => [`${o.kind}/${o.metadata.name}`, o]));
    // kept kinds (the namespace here) carry Helm's and Argo CD's keep annotations
    const keep = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false', 'helm.sh/resource-policy': 'keep' };
    const kept = objects.map(o => (KEPT_KINDS.includes(o.kind)
      ? { ...o, metadata: { ...o.metadata, annotations: { ...keep, ...o.metadata.annotations } } }
      : o));
    expect(kept.filter(o => o.kind === 'Namespace')).toHaveLength(1);
    expect(byKey(helm().template(dir))).toEqual(byKey(kept));
    const prod = helm().template(dir, [path.join(dir, 'values-prod.yaml')]);
    expect(find(prod, 'HorizontalPodAutoscaler', 'nginx').spec).toMatchObject({ minReplicas: 5, maxReplicas: 20 });
    expect(find(prod, 'Deployment', 'users').spec.replicas).toBe(3);
    expect(find(prod, 'Deployment', 'users-canary').spec.replicas).toBe(1);
    const dev = helm().template(dir, [path.join(dir, 'values-dev.yaml')]);
    expect(find(dev, 'HorizontalPodAutoscaler', 'nginx').spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    expect(find(dev, 'Deployment', 'users').spec.replicas).toBe(1);
  });
});
