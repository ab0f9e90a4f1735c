/**
 * The real helm (from @aws-cdk/lambda-layer-kubectl-v35's layer) lints (`--strict`) and renders every chart the
 * library writes: GitOpsHelmChart output with its default values and each environment file, and the EKS
 * delivery's HelmChartDirectory. What helm renders goes through the schema, Pod Security restricted and
 * cross-reference checks, and must be exactly the cdk8s objects (with the default values).
 * Without helm these tests FAIL (useHelm throws in beforeAll); they never skip.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App as CdkApp, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { App, Chart } from 'cdk8s';
import { FIXTURE_EXTERNAL_SECRETS, shopPlatformChart } from './gitops-fixtures';
import { webServiceCharts } from './web-services';
import { readZipEntry } from '../../bench/private/zip';
import { sampleWorkloads } from '../../charts/samples';
import { ClusterTraits, GitOpsHelmChart, HelmChartDirectory, HelmChartReleases, KubeObject, synthesizeManifests } from '../../lib';
import { kubectlLayerZip, useHelm } from '../support/helm';
import { expectValidManifests } from '../support/k8s-check';

const helm = useHelm();
const dirs: string[] = [];
afterAll(() => dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

/** Writes files (relative path → content) into a new temp dir, removed after the file's tests. */
function writeFiles(files: ReadonlyMap<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-helm-tools-'));
  dirs.push(dir);
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const KEPT = new Set(['CustomResourceDefinition', 'PersistentVolumeClaim', 'PersistentVolume', 'Namespace']);
const key = (o: any) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
/** The objects as helm renders them with the default values: sorted, claims and namespaces annotated to be kept (by Helm, and by Argo CD in GitOps charts). */
function expected(objects: readonly KubeObject[], argoCd = true): any[] {
  const kept = { 'helm.sh/resource-policy': 'keep', ...(argoCd ? { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' } : {}) };
  return objects.map(o => (KEPT.has(o.kind) ? { ...o, metadata: { ...o.metadata, annotations: { ...kept, ...(o.metadata.annotations as object) } } } : o))
    .sort((a, b) => key(a).localeCompare(key(b)));
}
const sorted = (objects: any[]) => [...objects].sort((a, b) => key(a).localeCompare(key(b)));
const find = (objects: any[], kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata.name === name);

test('helm is the one the kubectl layer ships, and runs here; a layer without it is an error, not a skip', () => {
  expect(helm().version).toMatch(/^v[34]\.\d+\.\d+/);
  expect(() => readZipEntry(kubectlLayerZip(), 'helm/no-such-binary')).toThrow(/no entry helm\/no-such-binary/);
});

describe.each([
  ['k3s', ClusterTraits.k3s()],
  ['eks', ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' })],
])('GitOpsHelmChart of every workload kind on %s', (_kind, traits) => {
  const environments = {
    prod: { workloads: { api: { image: { tag: '1.8.3' }, autoscaling: { minReplicas: 4, maxReplicas: 16 } }, mailer: { replicaCount: 3 }, report: { image: { digest: `sha256:${'b'.repeat(64)}` } } } },
    dev: { workloads: { 'api': { autoscaling: { minReplicas: 1, maxReplicas: 2 } }, 'api-canary': { image: { repository: 'registry.dev.example.com:5000/shop-api', tag: '1.9.0-rc.1' } } } },
  };
  const chart = shopPlatformChart(traits);
  const objects = synthesizeManifests(chart)[0].objects;
  const dir = writeFiles(GitOpsHelmChart.render(chart, { environments }).files);
  const check = { externalSecrets: FIXTURE_EXTERNAL_SECRETS, failOnWarnings: true };

  test('helm lint --strict passes with the default values and with each environment file', () => {
    expect(helm().lint(dir)).toContain('1 chart(s) linted, 0 chart(s) failed');
    for (const env of Object.keys(environments)) helm().lint(dir, [path.join(dir, `values-${env}.yaml`)]);
  });

  test('with the default values helm renders exactly the cdk8s objects, and they pass every check', () => {
    const rendered = helm().template(dir);
    expect(sorted(rendered)).toEqual(expected(objects));
    expectValidManifests(rendered, check);
  });

  test('values-prod.yaml sets the images, replicas and HPA bounds it names; the rest stays; the checks pass', () => {
    const rendered = helm().template(dir, [path.join(dir, 'values-prod.yaml')]);
    expectValidManifests(rendered, check);
    const api = find(rendered, 'Deployment', 'api');
    expect(api.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/shop-api:1.8.3');
    expect(api.metadata.labels['app.kubernetes.io/version']).toBe('1.8.3');
    expect(api.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('1.8.3');
    expect(find(rendered, 'Service', 'api').metadata.labels['app.kubernetes.io/version']).toBe('1.8.3');
    expect(find(rendered, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({ minReplicas: 4, maxReplicas: 16 });
    const mailer = find(rendered, 'Deployment', 'mailer');
    expect(mailer.spec.replicas).toBe(3);
    const report = find(rendered, 'CronJob', 'report').spec.jobTemplate.spec.template.spec.containers[0];
    expect(report.image).toBe(`ghcr.io/acme/report@sha256:${'b'.repeat(64)}`);
    expect(find(rendered, 'Deployment', 'api-canary').spec.template.spec.containers[0].image).toBe('ghcr.io/acme/shop-api:1.9.0');
    // everything values-prod.yaml does not name is the chart's default
    const untouched = (o: any) => !['api', 'mailer', 'report'].includes(o.metadata.labels?.['app.kubernetes.io/instance']);
    expect(sorted(rendered.filter(untouched))).toEqual(expected(objects).filter(untouched));
  });

  test('values-dev.yaml: another registry for the canary, its pods and init containers follow', () => {
    const rendered = helm().template(dir, [path.join(dir, 'values-dev.yaml')]);
    expectValidManifests(rendered, check);
    expect(find(rendered, 'Deployment', 'api-canary').spec.template.spec.containers[0].image).toBe('registry.dev.example.com:5000/shop-api:1.9.0-rc.1');
    expect(find(rendered, 'Deployment', 'api-canary').metadata.labels['app.kubernetes.io/version']).toBe('1.9.0-rc.1');
    expect(find(rendered, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
  });
});

describe('helm itself refuses bad values files (values.schema.json and the HPA guard)', () => {
  const dir = writeFiles(GitOpsHelmChart.render(sampleWorkloads(new App(), ClusterTraits.k3s())[0]).files);
  const refuse = (values: string) => {
    const file = path.join(dir, 'bad-values.yaml');
    fs.writeFileSync(file, values);
    const r = helm().run(['template', 'release', dir, '-f', file]);
    fs.rmSync(file);
    expect(r.status).not.toBe(0);
    return r.stderr;
  };

  test.each([
    ['a misspelt workload', 'workloads: {ngnix: {replicaCount: 2}}', "additional properties 'ngnix' not allowed"],
    ['replicas as a string', 'workloads: {users: {replicaCount: "3"}}', "at '/workloads/users/replicaCount': got string, want integer"],
    ['a float tag', 'workloads: {users: {image: {tag: 6.8}}}', "at '/workloads/users/image/tag': got number, want string"],
    ['replicas for the autoscaled nginx', 'workloads: {nginx: {replicaCount: 4}}', "additional properties 'replicaCount' not allowed"],
    ['an invalid digest', 'workloads: {users: {image: {digest: "sha256:abc"}}}', "at '/workloads/users/image/digest'"],
    ['minReplicas above maxReplicas', 'workloads: {nginx: {autoscaling: {minReplicas: 30}}}',
      'workloads.nginx.autoscaling.minReplicas (30) must not exceed workloads.nginx.autoscaling.maxReplicas (10)'],
  ])('%s', (_what, values, message) => {
    expect(refuse(values)).toContain(message);
  });
});

describe('the EKS delivery\'s HelmChartDirectory', () => {
  const cases: Array<[string, () => Chart[], object, number]> = [
    ['the samples on EKS', () => sampleWorkloads(new App(), ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' })), {}, 1],
    ['every workload kind on EKS', () => [shopPlatformChart(ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }))], { externalSecrets: FIXTURE_EXTERNAL_SECRETS }, 1],
    ['120 web services with literal braces over 3 charts, split into several template files', () => webServiceCharts(120, { chartCount: 3 }), {}, 6],
  ];

  test.each(cases)('%s: helm lint --strict passes and helm template renders exactly the objects, which pass every check', (_what, charts, check, minFiles) => {
    const manifests = synthesizeManifests(charts());
    const chart = HelmChartDirectory.render(manifests, { chartName: 'workloads', maxTemplateFileBytes: 64 * 1024 });
    expect(chart.templateFiles.length).toBeGreaterThanOrEqual(minFiles);
    const dir = writeFiles(chart.files);
    helm().lint(dir);
    const rendered = helm().template(dir);
    const objects = manifests.flatMap(m => m.objects);
    expect(rendered).toHaveLength(chart.objectCount);
    expect(sorted(rendered)).toEqual(expected(objects, false));
    expectValidManifests(rendered, { ...check, failOnWarnings: true });
  });
});

test('the EKS delivery as it deploys: every release HelmChartReleases stages into the cloud assembly lints and renders', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-helm-tools-cdk-'));
  dirs.push(outdir);
  const app = new CdkApp({ outdir });
  const stack = new Stack(app, 'eks', { env: { account: '111111111111', region: 'eu-west-1' } });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer') },
  });
  const traits = ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' });
  const k8s = new App();
  const charts = [...sampleWorkloads(k8s, traits), shopPlatformChart(traits, k8s)];
  const delivery = new HelmChartReleases(stack, 'workloads', { cluster, charts });
  app.synth();
  expect(delivery.releases.map(r => r.releaseName)).toEqual(['workloads-samples', 'workloads-shop']);
  for (const release of delivery.releases) {
    const dir = release.chart.directory!;
    expect(path.resolve(dir).startsWith(fs.realpathSync(outdir)) || path.resolve(dir).startsWith(outdir)).toBe(true); // staged in the cloud assembly
    expect(fs.existsSync(path.join(dir, 'Chart.yaml'))).toBe(true);
    helm().lint(dir);
    const rendered = helm().template(dir, [], release.releaseName);
    expect(rendered).toHaveLength(release.chart.objectCount);
    for (const o of rendered) expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBeDefined();
    expectValidManifests(rendered, { externalSecrets: FIXTURE_EXTERNAL_SECRETS, failOnWarnings: true });
  }
});
