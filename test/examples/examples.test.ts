/*
 * Every example in examples/ synthesizes, and its Kubernetes objects pass the manifest checker (schema, Pod
 * Security "restricted", cross-references). Type-checking is done by the suite's `tsc -p tsconfig.dev.json`
 * (it includes examples/**). Workload examples are synthesized with cdk8s only; the two platform examples
 * (one EKS and one k3s stack) once each, shared across the tests below.
 */
import { App as CdkApp } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App } from 'cdk8s';
import * as nginx from '../../examples/nginx/app';
import * as abTest from '../../examples/release-strategies/ab-test';
import * as blueGreen from '../../examples/release-strategies/blue-green';
import * as canary from '../../examples/release-strategies/canary';
import * as recreate from '../../examples/release-strategies/recreate';
import * as rolling from '../../examples/release-strategies/rolling';
import * as shadow from '../../examples/release-strategies/shadow';
import * as threeTierEks from '../../examples/three-tier-eks/app';
import * as threeTierK3s from '../../examples/three-tier-k3s/app';
import * as users from '../../examples/users-service/app';
import { ClusterTraits, KubeObject, PlatformChart, synthesizeManifests } from '../../lib';
import { expectValidManifests } from '../support/k8s-check';

type WorkloadExample = (app: App, traits?: ClusterTraits) => PlatformChart;

function kinds(objects: readonly KubeObject[]): string[] {
  return objects.map(o => `${o.kind}/${o.metadata.name}`);
}

function synth(build: WorkloadExample, traits?: ClusterTraits): KubeObject[] {
  const app = new App();
  build(app, traits);
  const charts = synthesizeManifests(app);
  expect(charts).toHaveLength(1);
  return charts[0].objects;
}

describe('seed examples', () => {
  test('nginx: 3 replicas, ClusterIP Service on port 80, Ingress for myapp.example.com /', () => {
    const objects = synth(nginx.build);
    expectValidManifests(objects);
    const deployment = objects.find(o => o.kind === 'Deployment') as KubeObject & { spec: { replicas: number } };
    expect(deployment.spec.replicas).toBe(3);
    const service = objects.find(o => o.kind === 'Service') as KubeObject & { spec: { type?: string; ports: Array<{ port: number }> } };
    expect(service.spec.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(service.spec.ports.map(p => p.port)).toEqual([80]);
    const ingress = objects.find(o => o.kind === 'Ingress') as KubeObject & { spec: { rules: Array<{ host: string; http: { paths: Array<{ path: string }> } }> } };
    expect(ingress.spec.rules.map(r => [r.host, r.http.paths.map(p => p.path)])).toEqual([['myapp.example.com', ['/']]]);
  });

  test.each([
    ['EKS', ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' })],
    ['k3s', ClusterTraits.k3s()],
  ])('users: 2 replicas and a 10%% canary, valid on %s', (_name, traits) => {
    const objects = synth(users.build, traits);
    expectValidManifests(objects, { externalSecrets: ['users-db'] });
    expect(kinds(objects)).toEqual(expect.arrayContaining(['Deployment/users', 'Deployment/users-canary']));
  });
});

describe('release strategy examples', () => {
  const examples: Array<[string, WorkloadExample, string[]]> = [
    ['rolling', rolling.build, ['Deployment/web']],
    ['recreate', recreate.build, ['Deployment/web']],
    ['blue-green', blueGreen.build, ['Deployment/web-blue', 'Deployment/web-green', 'Service/web-preview']],
    ['canary', canary.build, ['Deployment/web-canary']],
    ['ab-test', abTest.build, ['Deployment/web-b']],
    ['shadow', shadow.build, ['Deployment/web-shadow', 'TraefikService/web-mirror']],
  ];

  test.each(examples)('%s synthesizes valid manifests with its objects', (_name, build, expected) => {
    const objects = synth(build);
    expectValidManifests(objects);
    expect(kinds(objects)).toEqual(expect.arrayContaining(expected));
  });

  test('the shadow example explains why it runs on k3s: shadow on EKS (ALB) is refused', () => {
    expect(() => synth(shadow.build, ClusterTraits.eks())).toThrow(/mirror/i);
  });
});

describe.each([
  ['three-tier-eks', threeTierEks.build, 'shop-eks', 'AWS::EKS::Cluster', 'gp3'],
  ['three-tier-k3s', threeTierK3s.build, 'shop-k3s', 'AWS::AutoScaling::AutoScalingGroup', 'local-path'],
] as const)('%s', (_name, build, stackName, clusterType, storageClass) => {
  let result: ReturnType<typeof build>;
  let template: Template;
  beforeAll(() => {
    const app = new CdkApp();
    result = build(app);
    const assembly = app.synth();
    expect(assembly.stacks.map(s => s.stackName)).toEqual([stackName]);
    template = Template.fromStack(result.stack);
  });

  test('the stack holds the cluster', () => {
    expect(Object.keys(template.findResources(clusterType)).length).toBeGreaterThan(0);
  });

  test('web, api and postgres are valid manifests; postgres keeps a volume of the cluster\'s storage class', () => {
    const [chart] = synthesizeManifests(result.charts);
    expectValidManifests(chart.objects, { externalSecrets: ['postgres'] });
    expect(kinds(chart.objects)).toEqual(expect.arrayContaining(['Deployment/web', 'Deployment/api', 'StatefulSet/postgres', 'Service/postgres']));
    const sts = chart.objects.find(o => o.kind === 'StatefulSet') as KubeObject & { spec: { volumeClaimTemplates: Array<{ spec: { storageClassName: string } }> } };
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe(storageClass);
  });

  test('only the api may connect to postgres', () => {
    const [chart] = synthesizeManifests(result.charts);
    const policy = chart.objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'postgres') as KubeObject & {
      spec: { ingress: Array<{ from: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }> };
    };
    const from = policy.spec.ingress.flatMap(r => r.from).map(f => f.podSelector?.matchLabels['app.kubernetes.io/instance']);
    expect(from).toContain('api');
    expect(from).not.toContain('web');
  });
});
