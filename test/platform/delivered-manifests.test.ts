import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App as CdkApp } from 'aws-cdk-lib';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { sampleWorkloads } from '../../charts/samples';
import { EksPlatformStack, SelfManagedPlatformStack, SelfManagedDistribution } from '../../lib';
import { expectValidManifests } from '../support/k8s-check';

/**
 * What the clusters receive is what the workload layer built: the delivered assets (a Helm chart directory
 * on EKS, one YAML file on k3s/kubeadm) are read back from cdk.out and pass the schema, Pod Security
 * restricted and cross-reference checks.
 */
function synthToDir(build: (app: CdkApp) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'delivered-'));
  const app = new CdkApp({ outdir });
  build(app);
  app.synth();
  return outdir;
}

function yamlObjects(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJSON()).filter(o => o && o.kind);
}

/** Helm templates escape `{{` as `{{ "{{" }}`: undo it to get the objects Helm will apply. */
function helmTemplateObjects(dir: string): any[] {
  return fs.readdirSync(path.join(dir, 'templates')).flatMap(f => {
    const text = fs.readFileSync(path.join(dir, 'templates', f), 'utf8').replace(/\{\{ "\{\{" \}\}/g, '{{').replace(/\{\{ "\}\}" \}\}/g, '}}');
    return parseAllDocuments(text).map(d => d.toJSON()).filter(o => o && o.kind);
  });
}

/** The sample nginx service arrives with its HorizontalPodAutoscaler, aimed at its Deployment (which leaves replicas to it). */
function expectSampleAutoscaler(objects: any[]): void {
  const hpas = objects.filter(o => o.kind === 'HorizontalPodAutoscaler');
  expect(hpas.map(h => h.spec.scaleTargetRef)).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }]);
  const nginx = objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'nginx');
  expect(nginx.spec.replicas).toBeUndefined();
}

describe.each([['k3s', SelfManagedDistribution.k3s()], ['kubeadm', SelfManagedDistribution.kubeadm()]])('%s: the delivered YAML asset', (_name, distribution) => {
  const outdir = synthToDir(app => {
    const stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', distribution });
    stack.cluster.addWorkloads('samples', sampleWorkloads(new App(), stack.cluster.traits));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('passes schema, restricted and cross-reference checks', () => {
    const files = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml') || f.endsWith('.yml')).map(f => path.join(outdir, f));
    const objects = files.flatMap(yamlObjects);
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.filter(o => o.kind === 'Deployment').map(o => o.metadata.name).sort()).toEqual(['nginx', 'users', 'users-canary']);
    expectSampleAutoscaler(objects);
    expectValidManifests(objects, { failOnWarnings: true, allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
  });
});

describe('EKS: the delivered Helm chart asset', () => {
  const outdir = synthToDir(app => {
    const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme' });
    stack.cluster.addWorkloads('samples', sampleWorkloads(new App(), stack.cluster.traits));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('passes schema, restricted and cross-reference checks', () => {
    const charts = fs.readdirSync(outdir).map(f => path.join(outdir, f)).filter(d => fs.existsSync(path.join(d, 'Chart.yaml')));
    expect(charts.length).toBeGreaterThanOrEqual(1);
    const objects = charts.flatMap(helmTemplateObjects);
    expect(objects.filter(o => o.kind === 'Deployment').map(o => o.metadata.name).sort()).toEqual(['nginx', 'users', 'users-canary']);
    expectSampleAutoscaler(objects);
    expectValidManifests(objects, { failOnWarnings: true });
  });
});
