import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { tmpDir, webChart } from './support';
import { ClusterCapacity, EksPlatformCluster, SecretIsolation } from '../../lib/clusters/eks';
import { EXTERNAL_SECRETS_CHART } from '../../lib/clusters/eks/eks-external-secrets';
import { PlatformNetwork } from '../../lib/network';
import { EksPlatformStack } from '../../lib/platform/eks-platform-stack';
import { ClusterTraits, synthesizeManifests } from '../../lib/workloads';
import { expectValidManifests } from '../support/k8s-check';

/** One cloud assembly directory for the file: assets already staged there are not copied again. */
const OUTDIR = tmpDir('robustness-out');

type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[] }>;
const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, x]) => x.Type === type);

describe('External Secrets Operator on the EKS platform (one platform-wide store: SecretIsolation.PLATFORM)', () => {
  let stack: EksPlatformStack;
  let resources: Resources;
  beforeAll(() => {
    stack = new EksPlatformStack(new App({ outdir: OUTDIR }), 'acme-eks', { platformName: 'acme', externalSecrets: { isolation: SecretIsolation.PLATFORM } });
    stack.cluster.addWorkloads('apps', [webChart(stack.cluster.traits, { secrets: true })]);
    resources = Template.fromStack(stack).toJSON().Resources;
  });

  test('the pinned chart from charts.external-secrets.io, with its CRDs and pinned images', () => {
    const charts = ofType(resources, 'Custom::AWSCDK-EKS-HelmChart').map(([, r]) => r.Properties).filter(p => p.Chart === 'external-secrets');
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatchObject({ Repository: 'https://charts.external-secrets.io', Version: EXTERNAL_SECRETS_CHART.version, Namespace: 'external-secrets', Release: 'external-secrets', CreateNamespace: true, Wait: true });
    expect(EXTERNAL_SECRETS_CHART.version).toMatch(/^\d+\.\d+\.\d+$/);
    const values = JSON.stringify(charts[0].Values);
    expect(values).toContain('\\"installCRDs\\":true');
    expect(values.match(new RegExp(`\\\\"tag\\\\":\\\\"${EXTERNAL_SECRETS_CHART.appVersion}\\\\"`, 'g'))).toHaveLength(3);
  });

  test('Pod Identity role: only GetSecretValue and DescribeSecret, only on secrets named "<platform>/..."', () => {
    const assoc = ofType(resources, 'AWS::EKS::PodIdentityAssociation').map(([, r]) => r.Properties).find(p => p.Namespace === 'external-secrets');
    expect(assoc).toMatchObject({ ServiceAccount: 'external-secrets' });
    const roleId = assoc.RoleArn['Fn::GetAtt'][0];
    const policies = ofType(resources, 'AWS::IAM::Policy').map(([, r]) => r.Properties).filter(p => p.Roles.some((x: any) => x.Ref === roleId));
    const statements = policies.flatMap(p => p.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:acme/*']] },
    }]);
    expect(resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('ClusterSecretStore "aws-secrets-manager" in the stack region, applied after the chart, passes the manifest checker', () => {
    const manifests = ofType(resources, 'Custom::AWSCDK-EKS-KubernetesResource').filter(([, r]) => JSON.stringify(r.Properties.Manifest).includes('ClusterSecretStore'));
    expect(manifests).toHaveLength(1);
    const [storeId, store] = manifests[0];
    const chartId = ofType(resources, 'Custom::AWSCDK-EKS-HelmChart').find(([, r]) => r.Properties.Chart === 'external-secrets')![0];
    expect(store.DependsOn).toContain(chartId);
    expect(JSON.stringify(store.Properties.Manifest)).toContain('{"Ref":"AWS::Region"}');
    const storeObject = stack.cluster.externalSecrets!.storeObject;
    expect(storeObject).toMatchObject({ apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'aws-secrets-manager' }, spec: { provider: { aws: { service: 'SecretsManager' } } } });
    // the store together with the workloads' ExternalSecrets: schema (CRD), names and cross-references
    const workloads = synthesizeManifests([webChart(ClusterTraits.eks({ vpcCidr: '10.0.0.0/16', externalSecretStore: { name: 'aws-secrets-manager', secretNamePrefix: 'acme/' } }), { secrets: true })]).flatMap(m => m.objects);
    expectValidManifests([storeObject, ...workloads], { externalSecrets: ['shop-api'] });
    expect(storeId).toBeDefined();
  });

  test('workloads are delivered after the store exists (ExternalSecrets need the CRD and the store)', () => {
    const storeId = ofType(resources, 'Custom::AWSCDK-EKS-KubernetesResource').find(([, r]) => JSON.stringify(r.Properties.Manifest).includes('ClusterSecretStore'))![0];
    // One Helm release per chart: every workload release (a chart asset) waits for the store.
    const releases = ofType(resources, 'Custom::AWSCDK-EKS-HelmChart').filter(([, r]) => r.Properties.ChartAssetURL !== undefined);
    expect(releases.length).toBeGreaterThan(0);
    for (const [, release] of releases) expect(release.DependsOn).toContain(storeId);
  });

  test('the operator waits for the nodes, the Pod Identity agent, CoreDNS and the load balancer controller', () => {
    const [, chart] = ofType(resources, 'Custom::AWSCDK-EKS-HelmChart').find(([, r]) => r.Properties.Chart === 'external-secrets')!;
    const deps = chart.DependsOn!.map(d => resources[d]?.Type ?? d);
    expect(deps).toEqual(expect.arrayContaining(['AWS::EKS::Nodegroup', 'AWS::EKS::Addon', 'Custom::AWSCDK-EKS-HelmChart']));
  });
});

describe('External Secrets options', () => {
  test('a custom name prefix scopes the role; turning it off removes the operator and the store', () => {
    const build = (externalSecrets: object) => {
      const s = new Stack(new App({ outdir: OUTDIR }), 's');
      const net = new PlatformNetwork(s, 'Network', { azCount: 2 });
      const cluster = new EksPlatformCluster(s, 'Eks', { vpc: net.vpc, clusterName: 'acme', externalSecrets });
      return { cluster, resources: Template.fromStack(s).toJSON().Resources as Resources };
    };
    const prefixed = build({ secretNamePrefix: 'teams/shop/', isolation: SecretIsolation.PLATFORM });
    expect(JSON.stringify(prefixed.resources)).toContain(':secret:teams/shop/*');
    const off = build({ enabled: false });
    expect(off.cluster.externalSecrets).toBeUndefined();
    expect(ofType(off.resources, 'Custom::AWSCDK-EKS-HelmChart').filter(([, r]) => r.Properties.Chart === 'external-secrets')).toEqual([]);
    expect(() => build({ secretNamePrefix: 'acme/*' })).toThrow(/EksExternalSecrets\.secretNamePrefix is "acme\/\*": must be 1-256 characters/);
    expect(() => build({ storeName: 'AWS' })).toThrow(/EksExternalSecrets\.storeName is "AWS": must be a DNS-1123 subdomain/);
  });

  test('EKS Auto Mode: the operator waits for the Auto Mode add-ons (no node groups)', () => {
    const stack = new EksPlatformStack(new App({ outdir: OUTDIR }), 'auto', { platformName: 'acme', capacity: ClusterCapacity.autoMode() });
    const resources = Template.fromStack(stack).toJSON().Resources as Resources;
    const [, chart] = ofType(resources, 'Custom::AWSCDK-EKS-HelmChart').find(([, r]) => r.Properties.Chart === 'external-secrets')!;
    expect(chart.DependsOn!.map(d => resources[d].Type)).toContain('AWS::EKS::Addon');
  });
});
