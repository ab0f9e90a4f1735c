import { ClusterSecretStore as ClusterSecretStoreV1beta1 } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ClusterSecretStore';
import { ExternalSecret as ExternalSecretV1beta1 } from '@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App as Cdk8sApp } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Observability } from '../../lib/addons';
import { EksPlatformCluster, ExternalSecretsOptions, SecretIsolation } from '../../lib/clusters/eks';
import { PlatformNetwork } from '../../lib/network';
import { KubeObject, PlatformChart, SecretRef, synthesizeManifests, Worker } from '../../lib/workloads';
import { expectValidManifests } from '../support/k8s-check';

const IMAGE = 'public.ecr.aws/acme/orders:1.4.2';
type Resource = { Type: string; Properties: any; DependsOn?: string[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId(c as CfnElement);
const resources = (t: Template) => t.toJSON().Resources as Record<string, Resource>;
const ofType = (t: Template, type: string) => Object.entries(resources(t)).filter(([, r]) => r.Type === type);
const secretArn = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:secret:${name}`]],
});

function eksCluster(externalSecrets: ExternalSecretsOptions = {}): { stack: Stack; cluster: EksPlatformCluster } {
  const stack = new Stack(new App(), 'Test');
  const network = new PlatformNetwork(stack, 'Network');
  return { stack, cluster: new EksPlatformCluster(stack, 'Eks', { vpc: network.vpc, vpcCidr: network.vpcCidr, clusterName: 'acme', externalSecrets }) };
}

/** A chart of `namespace` whose worker reads `remoteName` from Secrets Manager. */
function secretChart(cluster: EksPlatformCluster, namespace: string, remoteName: string, store?: string): PlatformChart {
  const chart = new PlatformChart(new Cdk8sApp(), namespace, { traits: cluster.traits, namespace });
  new Worker(chart, 'worker', { image: IMAGE, secretEnv: { DB_PASSWORD: SecretRef.fromAwsSecretsManager({ remoteName, property: 'password', store }) } });
  return chart;
}

const objectsOf = (chart: PlatformChart): KubeObject[] => synthesizeManifests([chart]).flatMap(m => m.objects);
const externalSecretOf = (chart: PlatformChart): any => objectsOf(chart).find(o => o.kind === 'ExternalSecret'); // eslint-disable-line @typescript-eslint/no-explicit-any

describe('secrets scoped to their namespace (SecretIsolation.NAMESPACE, the default)', () => {
  let template: Template;
  let cluster: EksPlatformCluster;
  let shop: PlatformChart;
  let billing: PlatformChart;
  beforeAll(() => {
    ({ cluster } = eksCluster());
    shop = secretChart(cluster, 'shop', 'acme/shop/db');
    billing = secretChart(cluster, 'billing', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:acme/billing/db-AbCdEf');
    cluster.addWorkloads('apps', [shop, billing]);
    template = Template.fromStack(Stack.of(cluster));
  });

  test('one ClusterSecretStore per namespace, usable from that namespace only, through its own role; no platform-wide store', () => {
    const es = cluster.externalSecrets!;
    expect(es.isolation).toBe(SecretIsolation.NAMESPACE);
    expect(es.store).toBeUndefined();
    expect(es.namespaceStores.map(s => [s.namespace, s.storeName, s.secretNamePrefix])).toEqual([
      ['shop', 'aws-secrets-manager-shop', 'acme/shop/'],
      ['billing', 'aws-secrets-manager-billing', 'acme/billing/'],
    ]);
    const shopStore = es.namespaceStore('shop');
    // (aws-eks-v2 adds its prune label to the metadata)
    expect(shopStore.storeObject).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: 'aws-secrets-manager-shop', labels: expect.objectContaining({ 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' }) },
      spec: {
        provider: { aws: { service: 'SecretsManager', region: Stack.of(cluster).region, role: shopStore.role.roleArn } },
        conditions: [{ namespaces: ['shop'] }],
      },
    });
    const manifests = ofType(template, 'Custom::AWSCDK-EKS-KubernetesResource').filter(([, r]) => JSON.stringify(r.Properties.Manifest).includes('ClusterSecretStore'));
    expect(manifests.map(([id]) => id).sort()).toEqual(es.namespaceStores.map(s => logicalId(s.manifest.node.defaultChild!)).sort());
  });

  test('the stores and ExternalSecrets pass the CRD schemas (@kubernetes-models/external-secrets) and the manifest checker', () => {
    const es = cluster.externalSecrets!;
    const region = 'eu-west-1';
    for (const s of es.namespaceStores) {
      const object = { ...s.storeObject, apiVersion: 'external-secrets.io/v1beta1' } as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      object.spec = { ...object.spec, provider: { aws: { ...object.spec.provider.aws, region, role: 'arn:aws:iam::111111111111:role/store' } } };
      expect(() => new ClusterSecretStoreV1beta1(object).validate()).not.toThrow();
    }
    for (const chart of [shop, billing]) {
      const external = externalSecretOf(chart);
      expect(() => new ExternalSecretV1beta1({ ...external, apiVersion: 'external-secrets.io/v1beta1' }).validate()).not.toThrow();
      expectValidManifests([...es.namespaceStores.map(s => ({ ...s.storeObject, spec: { ...(s.storeObject.spec as object), provider: { aws: { service: 'SecretsManager', region, role: 'arn:aws:iam::1:role/x' } } } })), ...objectsOf(chart)]);
    }
  });

  test('each namespace\'s role reads only <prefix><namespace>/* and trusts only the operator\'s role', () => {
    const es = cluster.externalSecrets!;
    const operatorRoleId = logicalId(es.identity.role.node.defaultChild!);
    for (const s of es.namespaceStores) {
      const roleId = logicalId(s.role.node.defaultChild!);
      expect(resources(template)[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: { 'Fn::GetAtt': [operatorRoleId, 'Arn'] } } },
      ]);
      const statements = ofType(template, 'AWS::IAM::Policy').map(([, r]) => r.Properties).filter(p => p.Roles.some((x: { Ref: string }) => x.Ref === roleId))
        .flatMap(p => p.PolicyDocument.Statement);
      expect(statements).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretArn(`acme/${s.namespace}/*`) }]);
    }
  });

  test('the operator\'s own role reads no secret: it may only assume the namespace roles', () => {
    const es = cluster.externalSecrets!;
    const operatorRoleId = logicalId(es.identity.role.node.defaultChild!);
    const statements = ofType(template, 'AWS::IAM::Policy').map(([, r]) => r.Properties).filter(p => p.Roles.some((x: { Ref: string }) => x.Ref === operatorRoleId))
      .flatMap(p => p.PolicyDocument.Statement);
    expect(statements).toEqual(es.namespaceStores.map(s => ({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': [logicalId(s.role.node.defaultChild!), 'Arn'] } })));
  });

  test('namespace editors get no ESO rights (no SecretStore pointing at another namespace\'s role)', () => {
    const [, chart] = ofType(template, 'Custom::AWSCDK-EKS-HelmChart').find(([, r]) => r.Properties.Chart === 'external-secrets')!;
    expect(JSON.parse(chart.Properties.Values).rbac).toEqual({ aggregateToEdit: false });
  });

  test('addWorkloads moves each ExternalSecret to its namespace\'s store; name, target and keys unchanged (no Secret lost)', () => {
    const twin = secretChart(cluster, 'shop', 'acme/shop/db');
    const before = externalSecretOf(twin);
    const after = externalSecretOf(shop);
    expect(before.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager' });
    expect(after.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager-shop' });
    expect({ ...after, spec: { ...after.spec, secretStoreRef: undefined } }).toEqual({ ...before, spec: { ...before.spec, secretStoreRef: undefined } });
    expect(after.spec.target).toEqual({ name: 'worker-external', creationPolicy: 'Owner' });
    expect(externalSecretOf(billing).spec.secretStoreRef.name).toBe('aws-secrets-manager-billing');
  });

  test('each release waits for the store of its namespace', () => {
    const es = cluster.externalSecrets!;
    const releases = ofType(template, 'Custom::AWSCDK-EKS-HelmChart').filter(([, r]) => r.Properties.ChartAssetURL !== undefined);
    expect(releases).toHaveLength(2);
    for (const [, release] of releases) {
      expect(release.DependsOn).toEqual(expect.arrayContaining(es.namespaceStores.map(s => logicalId(s.manifest.node.defaultChild!))));
    }
  });
});

describe('a workload of namespace A cannot name B\'s secret', () => {
  test('refused at synth time, naming the ExternalSecret, the key and the prefix to use', () => {
    const { cluster } = eksCluster();
    const shop = secretChart(cluster, 'shop', 'acme/billing/db');
    expect(() => cluster.addWorkloads('apps', [shop])).toThrow(
      '[shop/worker/ExternalSecret] ExternalSecret(shop/worker-external).spec.data[0].remoteRef.key is "acme/billing/db": must name a secret of namespace "shop" ("acme/shop/..."): '
      + 'on this cluster a namespace reads only its own secrets (its store\'s IAM role is scoped to that prefix). Name the secret "acme/shop/<name>", run the workload in the namespace whose prefix holds it, '
      + 'or let the namespace read that one secret with cluster.externalSecrets.allowSecret(namespace, name).');
    // nothing of the refused namespace's store was created
    expect(cluster.externalSecrets!.namespaceStores).toEqual([]);
  });

  test('a prefix that only starts like the namespace is no loophole ("acme/shop-admin/..." from "shop")', () => {
    const { cluster } = eksCluster();
    expect(() => cluster.addWorkloads('apps', [secretChart(cluster, 'shop', 'acme/shop-admin/db')])).toThrow(/remoteRef\.key is "acme\/shop-admin\/db": must name a secret of namespace "shop"/);
  });

  test('one secret outside the prefix, allowed by its exact name: that secret only, nothing else', () => {
    const { cluster } = eksCluster();
    const es = cluster.externalSecrets!;
    es.allowSecret('monitoring', 'acme/observability/grafana-admin');
    cluster.addWorkloads('apps', [secretChart(cluster, 'monitoring', 'acme/observability/grafana-admin')]);
    expect(es.namespaceMayRead('monitoring', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:acme/observability/grafana-admin-AbCdEf')).toBe(true);
    expect(es.namespaceMayRead('monitoring', 'acme/observability/grafana-admin-2')).toBe(false);
    expect(es.namespaceMayRead('shop', 'acme/observability/grafana-admin')).toBe(false);
    const template = Template.fromStack(Stack.of(cluster));
    const roleId = logicalId(es.namespaceStore('monitoring').role.node.defaultChild!);
    const statements = ofType(template, 'AWS::IAM::Policy').map(([, r]) => r.Properties).filter(p => p.Roles.some((x: { Ref: string }) => x.Ref === roleId))
      .flatMap(p => p.PolicyDocument.Statement);
    const read = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
    expect(statements).toEqual([
      { Effect: 'Allow', Action: read, Resource: secretArn('acme/monitoring/*') },
      { Effect: 'Allow', Action: read, Resource: secretArn('acme/observability/grafana-admin-??????') },
    ]);
    expect(() => es.allowSecret('monitoring', 'acme/*')).toThrow('EksExternalSecrets.allowSecret(secretName) is "acme/*": must be the exact name of a Secrets Manager secret');
  });

  test('an ExternalSecret naming a store of its own choice is left as it is', () => {
    const { cluster } = eksCluster();
    const chart = secretChart(cluster, 'shop', 'acme/anything', 'team-vault');
    cluster.addWorkloads('apps', [chart]);
    expect(externalSecretOf(chart).spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'team-vault' });
    expect(cluster.externalSecrets!.namespaceStores).toEqual([]);
  });
});

describe('the observability add-on\'s Grafana admin secret (named before namespace isolation)', () => {
  test('delivered once its namespace may read that one secret', () => {
    const { cluster } = eksCluster();
    cluster.externalSecrets!.allowSecret('monitoring', 'acme/observability/grafana-admin');
    new Observability().install(cluster);
    const monitoring = cluster.externalSecrets!.namespaceStore('monitoring');
    expect(monitoring.storeName).toBe('aws-secrets-manager-monitoring');
    expect(cluster.externalSecrets!.namespaceStores.map(st => st.namespace)).toEqual(['monitoring']);
  });
});

describe('SecretIsolation.PLATFORM (the behaviour before, for a migration)', () => {
  test('one ClusterSecretStore for every namespace, the operator reads the whole prefix, ExternalSecrets unchanged', () => {
    const { cluster } = eksCluster({ isolation: SecretIsolation.PLATFORM });
    const chart = secretChart(cluster, 'shop', 'acme/billing/db');
    cluster.addWorkloads('apps', [chart]);
    const template = Template.fromStack(Stack.of(cluster));
    const es = cluster.externalSecrets!;
    expect(es.storeObject).toMatchObject({ kind: 'ClusterSecretStore', metadata: { name: 'aws-secrets-manager' } });
    expect((es.storeObject!.spec as { conditions?: unknown }).conditions).toBeUndefined();
    expect(externalSecretOf(chart).spec.secretStoreRef.name).toBe('aws-secrets-manager');
    const operatorRoleId = logicalId(es.identity.role.node.defaultChild!);
    const statements = ofType(template, 'AWS::IAM::Policy').map(([, r]) => r.Properties).filter(p => p.Roles.some((x: { Ref: string }) => x.Ref === operatorRoleId))
      .flatMap(p => p.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: secretArn('acme/*') }]);
    const [, eso] = ofType(template, 'Custom::AWSCDK-EKS-HelmChart').find(([, r]) => r.Properties.Chart === 'external-secrets')!;
    expect(JSON.parse(eso.Properties.Values).rbac).toBeUndefined();
    expect(() => es.namespaceStore('shop')).toThrow('EksExternalSecrets.isolation is "platform": is not SecretIsolation.NAMESPACE');
  });

  test('an isolation that is not a SecretIsolation is refused', () => {
    expect(() => eksCluster({ isolation: 'none' as SecretIsolation })).toThrow(/EksExternalSecrets\.isolation is "none": must be one of SecretIsolation/);
  });
});
