import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { parse } from 'yaml';
import { DISTRIBUTIONS, ENV, statementsOf, webIdentityConditions, yamlObjects, zones } from './self-managed-add-on-fixtures';
import { CertManager, DnsRecordPolicy, EksPlatformStack, EXTERNAL_DNS_CHART, ExternalDns, IngressExposure, SelfManagedPlatformStack } from '../../lib';
import { K3sCluster } from '../../lib/clusters/k3s';
import { PlatformNetwork } from '../../lib/network';
import { flatten, nagFindings, reportingApp } from '../clusters/self-managed/support/user-data';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests } from '../support/k8s-check';


function eksStatements(): unknown[] {
  const app = new App();
  const addOn = new ExternalDns({ hostedZones: zones(app) });
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', env: ENV, addOns: [addOn] });
  return statementsOf(stack, addOn.role!);
}

describe.each(DISTRIBUTIONS)('%s with workloadIdentity: external-dns through the Helm controller, with a web-identity role', (name, distribution) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `external-dns-${name}-`));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const addOn = new ExternalDns({ hostedZones: zones(app) });
  const stack = new SelfManagedPlatformStack(app, 'acme-sm', { platformName: 'acme', env: ENV, distribution, cluster: { workloadIdentity: {} }, addOns: [addOn] });
  app.synth();
  const template = Template.fromStack(stack);
  const all = yamlObjects(outdir);
  const objects = all.filter(o => o.metadata?.labels?.['platform.cdk-k8s.io/delivery']?.startsWith('addon-external-dns'));
  const helmChart = objects.find(o => o.kind === 'HelmChart');
  const values = parse(helmChart.spec.valuesContent);
  const roleId = stack.getLogicalId(addOn.role!.node.defaultChild as CfnElement);
  const role = template.toJSON().Resources[roleId];

  test('no Pod Identity: the role is trusted by web identity for external-dns/external-dns only (sub and aud)', () => {
    expect(addOn.identity).toBeUndefined();
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
    expect(webIdentityConditions(template, role)).toEqual([
      ['sub', 'system:serviceaccount:external-dns:external-dns'],
      ['aud', 'sts.amazonaws.com'],
    ]);
    expect(role.Properties.RoleName).toMatch(/^acme-external-dns-external-dns-[0-9a-f]{8}$/);
  });

  test('exactly the statements of the EKS role: records in the named zones only, list zones, read changes', () => {
    const statements = statementsOf(stack, addOn.role!);
    expect(statements).toEqual(eksStatements());
    expect(JSON.stringify(statements)).toContain(':route53:::hostedzone/Z0123456789ABCDEFGHIJ');
    expect(JSON.stringify(statements)).toContain(':route53:::hostedzone/Z9876543210ZYXWVUTSRQ');
  });

  test('the pinned chart as a HelmChart object; its ServiceAccount carries the role ARN; TXT ownership, upsert-only, the named zones', () => {
    expect(helmChart.spec).toMatchObject({ repo: EXTERNAL_DNS_CHART.repository, chart: 'external-dns', version: EXTERNAL_DNS_CHART.version, targetNamespace: 'external-dns' });
    expect(values).toMatchObject({
      image: { tag: EXTERNAL_DNS_CHART.appVersion },
      provider: { name: 'aws' },
      env: [{ name: 'AWS_REGION', value: 'eu-west-1' }],
      serviceAccount: { create: true, name: 'external-dns', annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${role.Properties.RoleName}` } },
      policy: 'upsert-only',
      registry: 'txt',
      txtOwnerId: 'acme',
      domainFilters: ['example.com', 'example.net'],
      extraArgs: { 'zone-id-filter': ['Z0123456789ABCDEFGHIJ', 'Z9876543210ZYXWVUTSRQ'] },
    });
    expect(stack.cluster.traits.dnsZones).toEqual(['example.com', 'example.net']);
  });

  test('the records follow the ingress NLB: the cluster makes Traefik publish its DNS name in every Ingress status', () => {
    const nlb = stack.getLogicalId(stack.cluster.ingressLoadBalancer!.node.defaultChild as CfnElement);
    const endpoint = Object.entries(template.findResources('AWS::SSM::Association')).filter(([id]) => id.includes('IngressEndpoint'));
    expect(endpoint).toHaveLength(1);
    const script = (endpoint[0][1].Properties.Parameters.commands as unknown[]).map(flatten).join('\n');
    expect(script).toContain(`INGRESS_HOSTNAME='ATT_${nlb}_DNSName'`);
  });

  test('a NetworkPolicy lets the controller reach HTTPS (Route 53, STS), the API server and DNS only', () => {
    const policies = all.filter(o => o.metadata?.labels?.['platform.cdk-k8s.io/delivery']?.startsWith('external-dns-egress')).filter(o => o.kind === 'NetworkPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].metadata).toMatchObject({ name: 'external-dns-egress', namespace: 'external-dns' });
    expect(policies[0].spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'external-dns' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    // The pods come from the chart (rendered on the cluster), so no pod template here matches the selector.
    expectValidManifests(policies, { failOnWarnings: true, disableRules: ['xref/network-policy'] });
  });

  test('restricted: the namespace enforces it, the pods meet it; the objects pass the schema checks', () => {
    const namespace = objects.find(o => o.kind === 'Namespace');
    expect(namespace.metadata).toMatchObject({ name: 'external-dns', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // HelmChart is k3s's helm-controller CRD (kubeadm runs the same controller): no schema ships with the checker.
    expectValidManifests(objects, { failOnWarnings: true, allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
  });
});

describe('refusals on k3s and kubeadm name the prop to change', () => {
  test.each(DISTRIBUTIONS)('%s without workloadIdentity: names workloadIdentity: {} and its cost', (name, distribution) => {
    const app = new App();
    const cluster = new SelfManagedPlatformStack(app, 'k', { platformName: 'acme', env: ENV, distribution }).cluster;
    expect(expectThrownMessage(() => new ExternalDns({ hostedZones: zones(app) }).install(cluster)))
      .toBe(`[k/Cluster] ExternalDns.install(cluster) is "k/Cluster (${name})": needs an AWS identity for external-dns to change Route 53 records, `
        + 'and cluster acme has workloadIdentity off. Set workloadIdentity: {} on the cluster (SelfManagedPlatformStack: cluster: { workloadIdentity: {} }): '
        + 'its servers roll once to sign service-account tokens with a public issuer (adds an S3 bucket, a CloudFront distribution, an IAM OIDC provider '
        + 'and the pod identity webhook).');
  });

  test.each(DISTRIBUTIONS)('%s with IngressExposure.none(): no address to point records at, names the ingress prop', (name, distribution) => {
    const app = new App();
    const cluster = new SelfManagedPlatformStack(app, 'k', {
      platformName: 'acme', env: ENV, distribution, cluster: { workloadIdentity: {}, ingress: IngressExposure.none() },
    }).cluster;
    expect(expectThrownMessage(() => new ExternalDns({ hostedZones: zones(app) }).install(cluster)))
      .toBe(`[k/Cluster] ExternalDns.install(cluster) is "k/Cluster (${name})": has no ingress load balancer (ingress: IngressExposure.none()), `
        + 'so the Ingresses of cluster acme have no address anyone can reach and external-dns would write records that lead nowhere. '
        + 'Expose the ingress with IngressExposure.internal() or IngressExposure.internetFacing() (SelfManagedPlatformStack: cluster: { ingress: ... }), '
        + 'or do not install ExternalDns.');
  });

  test.each(DISTRIBUTIONS)('%s with DnsRecordPolicy.CREATE_ONLY: refused, naming the policy and the policies that work', (name, distribution) => {
    const app = new App();
    const cluster = new SelfManagedPlatformStack(app, 'k', { platformName: 'acme', env: ENV, distribution, cluster: { workloadIdentity: {} } }).cluster;
    expect(expectThrownMessage(() => new ExternalDns({ hostedZones: zones(app), policy: DnsRecordPolicy.CREATE_ONLY }).install(cluster)))
      .toBe(`[k/Cluster] ExternalDns.policy is "DnsRecordPolicy.CREATE_ONLY": cannot be used on ${name} cluster acme: until Traefik publishes the ingress `
        + 'load balancer (set by an association after the servers boot) its Ingress status lists other addresses, and create-only would never update the '
        + 'records made from them to the load balancer. Use DnsRecordPolicy.UPSERT_ONLY (the default) or DnsRecordPolicy.SYNC.');
    for (const policy of [DnsRecordPolicy.UPSERT_ONLY, DnsRecordPolicy.SYNC]) {
      const other = new App();
      const ok = new SelfManagedPlatformStack(other, 'k', { platformName: 'acme', env: ENV, distribution, cluster: { workloadIdentity: {} } }).cluster;
      expect(() => new ExternalDns({ hostedZones: zones(other), policy }).install(ok)).not.toThrow();
    }
  });

  test('an environment-agnostic stack: the role ARN in the values needs env', () => {
    const app = new App();
    const cluster = new SelfManagedPlatformStack(app, 'k', { platformName: 'acme', cluster: { workloadIdentity: {} } }).cluster;
    expect(expectThrownMessage(() => new ExternalDns({ hostedZones: zones(app) }).install(cluster)))
      .toMatch(/k: env is "account \(unknown at synth\), region \(unknown at synth\)": must be concrete for workload identity on k3s and kubeadm.*env: \{ account: '123456789012', region: 'eu-west-1' \}/s);
  });
});

describe('cdk-nag and guard rules over the add-ons\' roles on k3s', () => {
  test('no unacknowledged AwsSolutions, NIST 800-53 R5 or guard-rule finding on the external-dns and DNS-01 roles', () => {
    const app = reportingApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new CfnGuardValidator());
    const stack = new Stack(app, 'k3s-dns', { env: ENV });
    const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
    const cluster = new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme', workloadIdentity: {} });
    const [zone] = zones(app);
    new ExternalDns({ hostedZones: [zone] }).install(cluster);
    new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: [zone] } }).install(cluster);
    // a positive control: a role with a wildcard grant, which the packs must report in the same stack
    new iam.Role(stack, 'Control', { assumedBy: new iam.AccountRootPrincipal() }).addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const findings = nagFindings(app);
    expect(findings.some(f => f.includes('k3s-dns/Control/'))).toBe(true);
    expect(findings.filter(f => /Role-(external-dns|cert-manager)/.test(f))).toEqual([]);
  });
});
