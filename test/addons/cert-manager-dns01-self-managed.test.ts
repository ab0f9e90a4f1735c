import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { DISTRIBUTIONS, ENV, statementsOf, webIdentityConditions, yamlObjects, zones } from './self-managed-add-on-fixtures';
import {
  CERT_MANAGER_CHART, CertManager, EksPlatformStack, LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_STAGING_ISSUER,
  SelfManagedPlatformStack,
} from '../../lib';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests } from '../support/k8s-check';


function eksStatements(): unknown[] {
  const app = new App();
  const addOn = new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: zones(app) } });
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', env: ENV, addOns: [addOn] });
  return statementsOf(stack, addOn.dns01IamRole!);
}

describe.each(DISTRIBUTIONS)('%s with workloadIdentity: cert-manager DNS-01 through Route 53 with a web-identity role', (name, distribution) => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cert-manager-dns01-${name}-`));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const addOn = new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: zones(app) } });
  // A private ingress: DNS-01 needs none that Let's Encrypt can reach.
  const stack = new SelfManagedPlatformStack(app, 'acme-sm', { platformName: 'acme', env: ENV, distribution, cluster: { workloadIdentity: {} }, addOns: [addOn] });
  app.synth();
  const template = Template.fromStack(stack);
  const all = yamlObjects(outdir);
  const delivery = (prefix: string) => all.filter(o => o.metadata?.labels?.['platform.cdk-k8s.io/delivery']?.startsWith(prefix));
  const objects = delivery('addon-cert-manager');
  const helmChart = objects.find(o => o.kind === 'HelmChart');
  const values = parse(helmChart.spec.valuesContent);
  const roleId = stack.getLogicalId(addOn.dns01IamRole!.node.defaultChild as CfnElement);
  const role = template.toJSON().Resources[roleId];

  test('no Pod Identity: the role is trusted by web identity for cert-manager/cert-manager only (sub and aud)', () => {
    expect(addOn.dns01Role).toBeUndefined();
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 0);
    expect(webIdentityConditions(template, role)).toEqual([
      ['sub', 'system:serviceaccount:cert-manager:cert-manager'],
      ['aud', 'sts.amazonaws.com'],
    ]);
  });

  test('exactly the statements of the EKS role: _acme-challenge TXT records in the named zones only, read changes', () => {
    const statements = statementsOf(stack, addOn.dns01IamRole!);
    expect(statements).toEqual(eksStatements());
    expect(statements[0]).toMatchObject({
      Action: 'route53:ChangeResourceRecordSets',
      Condition: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
      },
    });
    expect(JSON.stringify(statements[0])).toContain(':route53:::hostedzone/Z9876543210ZYXWVUTSRQ');
  });

  test('the pinned chart as a HelmChart object; its ServiceAccount carries the role ARN; every pod restricted', () => {
    expect(helmChart.spec).toMatchObject({ repo: 'https://charts.jetstack.io', chart: 'cert-manager', version: CERT_MANAGER_CHART.version, targetNamespace: 'cert-manager' });
    expect(values.serviceAccount).toEqual({
      create: true, name: 'cert-manager', annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${role.Properties.RoleName}` },
    });
    for (const c of [values, values.webhook, values.cainjector, values.startupapicheck]) {
      expect(c.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    expect(objects.find(o => o.kind === 'Namespace').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    // HelmChart is the helm-controller's CRD (k3s and kubeadm run the same controller): no schema ships with the checker.
    expectValidManifests(objects, { failOnWarnings: true, allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
  });

  test('a NetworkPolicy lets the controller reach HTTPS (Route 53, STS), the API server and DNS only', () => {
    const policies = delivery('cert-manager-egress').filter(o => o.kind === 'NetworkPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].metadata).toMatchObject({ name: 'cert-manager-egress', namespace: 'cert-manager' });
    expect(policies[0].spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    // The pods come from the chart (rendered on the cluster), so no pod template here matches the selector.
    expectValidManifests(policies, { failOnWarnings: true, disableRules: ['xref/network-policy'] });
  });

  test('the ClusterIssuers use Route 53 in the stack\'s region, one solver per zone, valid against the CRD schema', () => {
    const issuers = delivery('cert-manager-issuers').filter(o => o.kind === 'ClusterIssuer');
    expect(issuers.map(i => i.metadata.name).sort()).toEqual([LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_STAGING_ISSUER]);
    for (const i of issuers) {
      expect(i.spec.acme.solvers).toEqual([
        { selector: { dnsZones: ['example.com'] }, dns01: { route53: { hostedZoneID: 'Z0123456789ABCDEFGHIJ', region: 'eu-west-1' } } },
        { selector: { dnsZones: ['example.net'] }, dns01: { route53: { hostedZoneID: 'Z9876543210ZYXWVUTSRQ', region: 'eu-west-1' } } },
      ]);
    }
    expectValidManifests(issuers, { failOnWarnings: true });
    expect(stack.cluster.traits.certificateIssuers).toEqual([
      { name: LETS_ENCRYPT_PRODUCTION_ISSUER, dnsZones: ['example.com', 'example.net'] },
      { name: LETS_ENCRYPT_STAGING_ISSUER, dnsZones: ['example.com', 'example.net'] },
    ]);
  });
});

describe('DNS-01 refusals on k3s and kubeadm name the prop to change', () => {
  test.each(DISTRIBUTIONS)('%s without workloadIdentity: names workloadIdentity: {} and its cost', (_name, distribution) => {
    const app = new App();
    const cluster = new SelfManagedPlatformStack(app, 'k', { platformName: 'acme', env: ENV, distribution }).cluster;
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: zones(app) } }).install(cluster)))
      .toBe('[k/Cluster] CertManager.letsEncrypt.dns01Zones is ["example.com","example.net"]: needs an AWS identity for cert-manager to write the DNS-01 TXT records '
        + 'in Route 53, and cluster acme has workloadIdentity off. Set workloadIdentity: {} on the cluster (SelfManagedPlatformStack: cluster: { workloadIdentity: {} }): '
        + 'its servers roll once to sign service-account tokens with a public issuer (adds an S3 bucket, a CloudFront distribution, an IAM OIDC provider '
        + 'and the pod identity webhook).');
  });

  test('an environment-agnostic stack: the role ARN in the values needs env', () => {
    const app = new App();
    const cluster = new SelfManagedPlatformStack(app, 'k', { platformName: 'acme', cluster: { workloadIdentity: {} } }).cluster;
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: zones(app) } }).install(cluster)))
      .toMatch(/k: env is "account \(unknown at synth\), region \(unknown at synth\)": must be concrete for workload identity on k3s and kubeadm.*env: \{ account: '123456789012', region: 'eu-west-1' \}/s);
  });
});
