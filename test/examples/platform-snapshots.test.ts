/*
 * Snapshots of the bundled platforms (what `npx cdk synth` produces: bin/app.ts), taken with the snapshot
 * helper users get from `cdk-k8s-platform/testing`. Asset hashes, bootstrap qualifiers and CDK plumbing are
 * normalised, so these snapshots change only when the platform changes, not when aws-cdk-lib is upgraded.
 * Fine-grained assertions live next to each construct's tests; this is the top layer.
 */
import { App as CdkApp } from 'aws-cdk-lib';
import { App } from 'cdk8s';
import { sampleWorkloads } from '../../charts/samples';
import { EksPlatformStack, SelfManagedPlatformStack, PlatformChart } from '../../lib';
import { platformSnapshot } from '../../lib/testing';

describe('bundled platforms', () => {
  const app = new CdkApp();
  const eks = new EksPlatformStack(app, 'demo-eks', { platformName: 'demo' });
  const eksCharts: PlatformChart[] = sampleWorkloads(new App(), eks.cluster.traits);
  eks.cluster.addWorkloads('samples', eksCharts);
  const k3s = new SelfManagedPlatformStack(app, 'demo-k3s', { platformName: 'demo-k3s' });
  const k3sCharts: PlatformChart[] = sampleWorkloads(new App(), k3s.cluster.traits);
  k3s.cluster.addWorkloads('samples', k3sCharts);

  test('EksPlatformStack with the sample workloads', () => {
    const snapshot = platformSnapshot(eks, { manifests: eksCharts });
    expect(JSON.stringify(snapshot)).not.toMatch(/[0-9a-f]{64}/);
    expect(snapshot).toMatchSnapshot();
  });

  test('SelfManagedPlatformStack with the sample workloads', () => {
    const snapshot = platformSnapshot(k3s, { manifests: k3sCharts });
    expect(JSON.stringify(snapshot)).not.toMatch(/[0-9a-f]{64}/);
    expect(snapshot).toMatchSnapshot();
  });
});
