/*
 * Every example in examples/ synthesizes, and its Kubernetes objects pass the manifest checker (schema, Pod
 * Security "restricted", cross-references). Type-checking is done by the suite's `tsc -p tsconfig.dev.json`
 * (it includes examples/**). Workload examples are synthesized with cdk8s only; the two platform examples
 * (one EKS and one k3s stack) once each, shared across the tests below, plus the EKS one once more with the
 * settings given as context. The three-tier examples show issue 17 on both cluster kinds: a workload identity
 * granted a DynamoDB table, a team owning the namespace, TLS on the public Ingresses and DNS records.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App as CdkApp } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
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
import { ChartManifest, ClusterTraits, KubeObject, PlatformChart, synthesizeManifests } from '../../lib';
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

type Resources = Record<string, { Type: string; Properties: any }>;
type Build = typeof threeTierEks.build | typeof threeTierK3s.build;

const built = new Map<Build, unknown>();
/** The cloud assemblies (temporary directories) of the platform examples, removed after the tests. */
const outdirs: string[] = [];
afterAll(() => outdirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

/** The stack of `build` in a fresh app (with `context`), its template, and its charts as delivered; built once without context. */
function platformExample<B extends Build>(build: B, context?: Record<string, string>) {
  if (context === undefined && !built.has(build)) built.set(build, synthPlatformExample(build));
  return context === undefined ? built.get(build) as ReturnType<typeof synthPlatformExample<B>> : synthPlatformExample(build, context);
}

function synthPlatformExample<B extends Build>(build: B, context?: Record<string, string>) {
  const app = new CdkApp({ context });
  const result = build(app) as ReturnType<B>;
  const assembly = app.synth();
  const template = Template.fromStack(result.stack);
  const manifests = synthesizeManifests(result.charts);
  outdirs.push(assembly.directory);
  const resources = template.toJSON().Resources as Resources;
  return { result, stackNames: assembly.stacks.map(s => s.stackName), template, resources, manifests, outdir: assembly.directory };
}

function objectsOf(manifests: ChartManifest[], chart: string): KubeObject[] {
  const found = manifests.find(m => m.name === chart);
  if (!found) throw new Error(`no chart ${chart} among ${manifests.map(m => m.name).join(', ')}`);
  return found.objects;
}

function find<T = any>(objects: readonly KubeObject[], kind: string, name: string): KubeObject & T {
  const o = objects.find(x => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${kinds(objects).join(', ')}`);
  return o as KubeObject & T;
}

/** The Kubernetes objects of the YAML files under `dir` (a self-managed cluster's delivered assets). */
function yamlObjects(dir: string): any[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlObjects(p);
    return /\.ya?ml$/.test(e.name) ? parseAllDocuments(fs.readFileSync(p, 'utf8')).map(d => d.toJSON()).filter(Boolean) : [];
  });
}

/** The logical id of the only resource of `type` whose properties contain `match` (as JSON). */
function onlyId(resources: Resources, type: string, match: string): string {
  const ids = Object.entries(resources).filter(([, r]) => r.Type === type && JSON.stringify(r.Properties).includes(match)).map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The actions the role `roleId` is allowed by the policies attached to it, with their resources. */
function grantsOf(resources: Resources, roleId: string): Array<{ Action: string | string[]; Resource: unknown }> {
  return Object.values(resources)
    .filter(r => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(r => r.Properties.PolicyDocument.Statement.map((st: any) => ({ Action: st.Action, Resource: st.Resource })));
}

const CARTS_ACTIONS = expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']);

describe.each([
  ['three-tier-eks', threeTierEks.build, 'shop-eks', 'AWS::EKS::Cluster', 'gp3', ['postgres']],
  ['three-tier-k3s', threeTierK3s.build, 'shop-k3s', 'AWS::AutoScaling::AutoScalingGroup', 'gp3', ['postgres']],
] as const)('%s', (_name, build, stackName, clusterType, storageClass, externalSecrets) => {
  let example: ReturnType<typeof platformExample>;
  beforeAll(() => {
    example = platformExample(build);
  });

  test('the app holds the one stack, with the cluster and the carts table', () => {
    expect(example.stackNames).toEqual([stackName]);
    expect(Object.keys(example.template.findResources(clusterType)).length).toBeGreaterThan(0);
    example.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `${stackName}-carts`,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  test('the team and the three tiers are valid manifests; postgres keeps a volume of the cluster\'s storage class', () => {
    expect(example.manifests.map(m => m.name)).toEqual(['teams', 'shop']);
    expectValidManifests(example.manifests, { externalSecrets: [...externalSecrets] });
    const shop = objectsOf(example.manifests, 'shop');
    expect(kinds(shop)).toEqual(expect.arrayContaining(['ServiceAccount/api', 'Deployment/web', 'Deployment/api', 'StatefulSet/postgres', 'Service/postgres']));
    const sts = find<{ spec: { volumeClaimTemplates: Array<{ spec: { storageClassName: string } }> } }>(shop, 'StatefulSet', 'postgres');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe(storageClass);
  });

  test('only the api may connect to postgres', () => {
    const policy = find<{ spec: { ingress: Array<{ from: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }> } }>(
      objectsOf(example.manifests, 'shop'), 'NetworkPolicy', 'postgres');
    const from = policy.spec.ingress.flatMap(r => r.from).map(f => f.podSelector?.matchLabels['app.kubernetes.io/instance']);
    expect(from).toContain('api');
    expect(from).not.toContain('web');
  });

  test('the team shop owns the namespace: restricted, ingress denied by default, a quota, and RoleBindings of its groups', () => {
    const teams = objectsOf(example.manifests, 'teams');
    const ns = find<{ metadata: { labels: Record<string, string> } }>(teams, 'Namespace', 'shop');
    expect(ns.metadata.labels).toEqual(expect.objectContaining({ 'platform.cdk-k8s.io/team': 'shop', 'pod-security.kubernetes.io/enforce': 'restricted' }));
    expect(kinds(teams)).toEqual(expect.arrayContaining(['NetworkPolicy/default-deny-ingress', 'ResourceQuota/quota', 'LimitRange/container-limits']));
    const bindings = teams.filter(o => o.kind === 'RoleBinding') as Array<KubeObject & { roleRef: { name: string }; subjects: Array<{ kind: string; name: string }> }>;
    expect(bindings.map(b => [b.metadata.namespace, b.metadata.name, b.roleRef.name, b.subjects.map(x => `${x.kind}/${x.name}`)])).toEqual([
      ['shop', 'shop-admin', 'admin', ['Group/shop-leads']],
      ['shop', 'shop-edit', 'edit', ['Group/shop-developers']],
      ['shop', 'shop-view', 'view', ['Group/shop-support']],
    ]);
    // the namespace comes from the team: the shop's chart does not define it again
    expect(objectsOf(example.manifests, 'shop').filter(o => o.kind === 'Namespace')).toEqual([]);
  });

  test('the api runs as its own ServiceAccount, without the Kubernetes API token; web does not', () => {
    const shop = objectsOf(example.manifests, 'shop');
    expect(find<{ automountServiceAccountToken: boolean }>(shop, 'ServiceAccount', 'api').automountServiceAccountToken).toBe(false);
    type PodSpec = { serviceAccountName?: string; containers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> };
    const pod = (name: string) => find<{ spec: { template: { spec: PodSpec } } }>(shop, 'Deployment', name).spec.template.spec;
    expect(pod('api').serviceAccountName).toBe('api');
    expect(pod('api').containers.find(c => c.name === 'api')!.env).toEqual(expect.arrayContaining([{ name: 'CARTS_TABLE', value: `${stackName}-carts` }]));
    expect(pod('web').serviceAccountName).toBeUndefined();
  });
});

describe('three-tier-eks: identity, team access, ACM and external-dns', () => {
  let example: ReturnType<typeof platformExample<typeof threeTierEks.build>>;
  beforeAll(() => {
    example = platformExample(threeTierEks.build);
  });

  test('the api\'s identity: an IAM role for EKS Pod Identity of this cluster, associated with shop/api, that may use the carts table only', () => {
    const association = onlyId(example.resources, 'AWS::EKS::PodIdentityAssociation', '"ServiceAccount":"api"');
    expect(example.resources[association].Properties).toEqual(expect.objectContaining({ Namespace: 'shop', ServiceAccount: 'api' }));
    const roleId = example.resources[association].Properties.RoleArn['Fn::GetAtt'][0];
    const trust = example.resources[roleId].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([expect.objectContaining({
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: expect.objectContaining({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^EksCluster/), 'Arn'] } } }),
    })]);
    const carts = onlyId(example.resources, 'AWS::DynamoDB::Table', 'shop-eks-carts');
    const grants = grantsOf(example.resources, roleId);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every(g => JSON.stringify(g.Resource) === JSON.stringify([{ 'Fn::GetAtt': [carts, 'Arn'] }]))).toBe(true);
    expect(grants[0].Action).toEqual(CARTS_ACTIONS);
    // Pod Identity hands out credentials, not a region
    const api = find<any>(objectsOf(example.manifests, 'shop'), 'Deployment', 'api').spec.template.spec.containers[0];
    expect(api.env).toEqual(expect.arrayContaining([{ name: 'AWS_REGION', value: 'eu-west-1' }]));
  });

  test('the developers\' IAM role signs in as shop-developers, with edit on the namespace shop only', () => {
    const roleId = onlyId(example.resources, 'AWS::IAM::Role', 'edit in the namespace shop');
    example.template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      KubernetesGroups: ['shop-developers'],
      AccessPolicies: [{
        AccessScope: { Type: 'namespace', Namespaces: ['shop'] },
        PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] },
      }],
    });
    expect(grantsOf(example.resources, roleId)).toEqual([{ Action: 'eks:DescribeCluster', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EksCluster/), 'Arn'] } }]);
    example.template.hasOutput('ShopDevelopersRoleArn', { Value: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  test('TLS: web and api share one internet-facing ALB that serves the ACM certificate and redirects HTTP to HTTPS', () => {
    const shop = objectsOf(example.manifests, 'shop');
    for (const name of ['web', 'api']) {
      const ingress = find<{ spec: { rules: Array<{ host: string }> } }>(shop, 'Ingress', name);
      expect(ingress.spec.rules.map(r => r.host)).toEqual(['shop.example.com']);
      expect(ingress.metadata.annotations).toEqual(expect.objectContaining({
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/group.name': 'shop',
        'alb.ingress.kubernetes.io/certificate-arn': 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000',
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
      }));
    }
  });

  test('DNS: external-dns manages the records of the example zone only, owned by the cluster', () => {
    const release = onlyId(example.resources, 'Custom::AWSCDK-EKS-HelmChart', '"Chart":"external-dns"');
    const values = JSON.parse(example.resources[release].Properties.Values);
    expect(values).toEqual(expect.objectContaining({
      domainFilters: ['example.com'], extraArgs: { 'zone-id-filter': ['Z0123456789ABCDEFGHIJ'] }, txtOwnerId: 'shop', policy: 'upsert-only', sources: ['ingress', 'service'],
    }));
    expect(example.result.stack.cluster.traits.dnsZones).toEqual(['example.com']);
  });

  test('the settings come from the context: zone, host and certificate', () => {
    const certificateArn = 'arn:aws:acm:us-east-2:111122223333:certificate/11111111-2222-4333-8444-555555555555';
    const other = platformExample(threeTierEks.build, {
      zoneName: 'acme.com', hostedZoneId: 'Z9876543210ZYXWVUTSRQ', certificateArn, account: '111122223333', region: 'us-east-2',
    });
    const web = find<{ spec: { rules: Array<{ host: string }> } }>(objectsOf(other.manifests, 'shop'), 'Ingress', 'web');
    expect(web.spec.rules.map(r => r.host)).toEqual(['shop.acme.com']);
    expect(web.metadata.annotations).toEqual(expect.objectContaining({ 'alb.ingress.kubernetes.io/certificate-arn': certificateArn }));
    expect(JSON.parse(other.resources[onlyId(other.resources, 'Custom::AWSCDK-EKS-HelmChart', '"Chart":"external-dns"')].Properties.Values).domainFilters).toEqual(['acme.com']);
    expect(other.result.stack.region).toBe('us-east-2');
  });
});

describe('three-tier-k3s: identity through the cluster\'s issuer, Let\'s Encrypt and external-dns', () => {
  let example: ReturnType<typeof platformExample<typeof threeTierK3s.build>>;
  beforeAll(() => {
    example = platformExample(threeTierK3s.build);
  });

  test('the api\'s identity: a role that only shop/api tokens of the cluster\'s OIDC issuer can assume, granted the carts table only', () => {
    const provider = onlyId(example.resources, 'AWS::IAM::OIDCProvider', 'sts.amazonaws.com');
    expect(example.resources[provider].Properties.ClientIdList).toEqual(['sts.amazonaws.com']);
    const conditions = onlyId(example.resources, 'Custom::AWSCDKCfnJson', 'system:serviceaccount:shop:api');
    const roleId = onlyId(example.resources, 'AWS::IAM::Role', conditions);
    expect(example.resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: { Ref: provider } },
      Condition: { StringEquals: { 'Fn::GetAtt': [conditions, 'Value'] } },
    })]);
    const trust = JSON.stringify(example.resources[conditions].Properties.Value);
    expect(trust).toContain(':sub\\":\\"system:serviceaccount:shop:api\\"');
    expect(trust).toContain(':aud\\":\\"sts.amazonaws.com\\"');
    const carts = onlyId(example.resources, 'AWS::DynamoDB::Table', 'shop-k3s-carts');
    const grants = grantsOf(example.resources, roleId);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.every(g => JSON.stringify(g.Resource) === JSON.stringify([{ 'Fn::GetAtt': [carts, 'Arn'] }]))).toBe(true);
    expect(grants[0].Action).toEqual(CARTS_ACTIONS);
    // the ServiceAccount names that role (the pod identity webhook gives its pods a web-identity token)
    const sa = find<{ metadata: { annotations: Record<string, string> } }>(objectsOf(example.manifests, 'shop'), 'ServiceAccount', 'api');
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(`arn:aws:iam::123456789012:role/${example.resources[roleId].Properties.RoleName}`);
  });

  test('the team is added without IAM: no access entry (people get its groups from client certificates or OIDC)', () => {
    expect(example.result.stack.teams.map(t => t.name)).toEqual(['shop']);
    example.template.resourceCountIs('AWS::EKS::AccessEntry', 0);
  });

  test('TLS: a Let\'s Encrypt certificate per Ingress through cert-manager (HTTP-01 via Traefik), HTTP redirected to HTTPS', () => {
    expect(example.result.stack.cluster.traits.certificateIssuers.map(i => i.name)).toContain('letsencrypt-production');
    const shop = objectsOf(example.manifests, 'shop');
    for (const name of ['web', 'api']) {
      const certificate = find<{ spec: { dnsNames: string[]; secretName: string; issuerRef: { kind: string; name: string } } }>(shop, 'Certificate', `${name}-tls`);
      expect(certificate.spec).toEqual(expect.objectContaining({ dnsNames: ['shop.example.com'], secretName: `${name}-tls`, issuerRef: expect.objectContaining({ kind: 'ClusterIssuer', name: 'letsencrypt-production' }) }));
      const ingress = find<{ spec: { tls: Array<{ hosts: string[]; secretName: string }> } }>(shop, 'Ingress', name);
      expect(ingress.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: `${name}-tls` }]);
      const http = find(shop, 'Ingress', `${name}-http`);
      expect(http.metadata.annotations?.['traefik.ingress.kubernetes.io/router.middlewares']).toBe(`shop-${name}-https-redirect@kubernetescrd`);
      expect(kinds(shop)).toEqual(expect.arrayContaining([`Middleware/${name}-https-redirect`, `NetworkPolicy/${name}-acme-http01`]));
    }
    // Let's Encrypt reaches Traefik through the internet-facing ingress load balancer
    example.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'network' });
  });

  test('DNS: external-dns, with a web-identity role that may change records in the example zone only, for records owned by the cluster', () => {
    expect(example.result.stack.cluster.traits.dnsZones).toEqual(['example.com']);
    const conditions = onlyId(example.resources, 'Custom::AWSCDKCfnJson', 'system:serviceaccount:external-dns:external-dns');
    const roleId = onlyId(example.resources, 'AWS::IAM::Role', conditions);
    const changes = grantsOf(example.resources, roleId).find(g => JSON.stringify(g.Action).includes('route53:ChangeResourceRecordSets'));
    expect(JSON.stringify(changes?.Resource)).toContain('hostedzone/Z0123456789ABCDEFGHIJ');
    const objects = yamlObjects(example.outdir).filter(o => o.metadata?.labels?.['platform.cdk-k8s.io/delivery']?.startsWith('addon-external-dns'));
    const helmChart = objects.find(o => o.kind === 'HelmChart');
    expect(helmChart.spec.chart).toBe('external-dns');
    const values = parse(helmChart.spec.valuesContent);
    expect(values).toEqual(expect.objectContaining({ domainFilters: ['example.com'], extraArgs: { 'zone-id-filter': ['Z0123456789ABCDEFGHIJ'] }, txtOwnerId: 'shop', policy: 'upsert-only' }));
    expect(values.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe(`arn:aws:iam::123456789012:role/${example.resources[roleId].Properties.RoleName}`);
    // external-dns makes the host's record, as on EKS: no record in the template; it is an alias of the ingress
    // load balancer, whose DNS name the cluster makes Traefik publish in every Ingress status
    example.template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const nlb = onlyId(example.resources, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'internet-facing');
    const endpoint = Object.entries(example.resources).filter(([id, r]) => r.Type === 'AWS::SSM::Association' && id.includes('IngressEndpoint'));
    expect(endpoint).toHaveLength(1);
    expect(JSON.stringify(endpoint[0][1].Properties.Parameters.commands)).toContain(`{"Fn::GetAtt":["${nlb}","DNSName"]}`);
  });

  test('the database\'s volume: gp3 EBS (the stack\'s default EBS CSI add-on), backed up daily', () => {
    expect(example.result.stack.cluster.traits.storageClasses.find(c => c.name === 'gp3')).toEqual(expect.objectContaining({ backedUp: true }));
    example.template.resourceCountIs('AWS::Backup::BackupPlan', 1);
  });

  test('secrets: the database password comes from Secrets Manager through the namespace\'s own store', () => {
    const external = find<{ spec: { secretStoreRef: { kind: string; name: string }; data: Array<{ remoteRef: { key: string } }> } }>(
      objectsOf(example.manifests, 'shop'), 'ExternalSecret', 'postgres-external');
    expect(external.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager-shop' });
    expect(external.spec.data.map(d => d.remoteRef.key)).toEqual(['shop/shop/postgres']);
  });
});
