/*
 * The imported workloads of every fixture delivered on a platform: an EKS and a k3s stack, each carrying one
 * chart per fixture (cluster.addWorkloads), synthesize, and every chart passes the manifest checks.
 */
import { App as CdkApp, Stack } from 'aws-cdk-lib';
import { App } from 'cdk8s';
import { ENV, FIXTURE_FILES, referencedSecrets } from './support';
import { composeToWorkloads, EksPlatformStack, IPlatformCluster, PlatformChart, SelfManagedPlatformStack, synthesizeManifests } from '../../lib';
import { expectValidManifests } from '../support/k8s-check';

function deliver(cluster: IPlatformCluster): PlatformChart[] {
  const k8s = new App();
  const charts = FIXTURE_FILES.map(([name, file]) => {
    const chart = new PlatformChart(k8s, name, { traits: cluster.traits, namespace: name });
    composeToWorkloads(chart, file, { env: ENV });
    return chart;
  });
  cluster.addWorkloads('compose', charts);
  return charts;
}

describe.each([
  ['EKS', (app: CdkApp) => new EksPlatformStack(app, 'compose-eks', { platformName: 'compose' })],
  ['k3s', (app: CdkApp) => new SelfManagedPlatformStack(app, 'compose-k3s', { platformName: 'compose' })],
] as const)('on %s', (_kind, makeStack) => {
  let charts: PlatformChart[];
  let stack: Stack;
  beforeAll(() => {
    const app = new CdkApp();
    const platform = makeStack(app);
    stack = platform;
    charts = deliver(platform.cluster);
    app.synth();
  });

  test('the stack synthesizes with the workloads of every fixture', () => {
    expect(stack.node.findAll().length).toBeGreaterThan(50);
    expect(charts.map(c => c.node.id)).toEqual(FIXTURE_FILES.map(([name]) => name));
  });

  test('every chart passes the schema, restricted and cross-reference checks', () => {
    for (const chart of synthesizeManifests(charts)) {
      expect(chart.objects.length).toBeGreaterThan(2);
      expectValidManifests(chart.objects, { externalSecrets: referencedSecrets(chart.objects) });
    }
  });
});
