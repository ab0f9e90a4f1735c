import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { App as Cdk8sApp } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  CERT_MANAGER_CHART, CertManager, EksPlatformStack, IngressExposure, LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_STAGING_ISSUER,
  PlatformChart, SelfManagedDistribution, SelfManagedPlatformStack, Tls, WebService,
} from '../../lib';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests } from '../support/k8s-check';

function yamlObjects(dir: string): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlObjects(p);
    return /\.ya?ml$/.test(e.name) ? parseAllDocuments(fs.readFileSync(p, 'utf8')).map(d => d.toJSON()).filter(Boolean) : [];
  });
}

/** A manifest as deployed in eu-west-1 (the stack's region is its only token). */
function deployed(manifest: unknown): string {
  if (typeof manifest === 'string') return manifest;
  const [, parts] = (manifest as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map(p => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Region"}' ? 'eu-west-1' : JSON.stringify(p))).join('');
}

function zone(app: App, zoneName = 'example.com', hostedZoneId = 'Z0123456789ABCDEFGHIJ'): route53.IHostedZone {
  const dns = (app.node.tryFindChild('dns') as Stack | undefined) ?? new Stack(app, 'dns');
  return route53.HostedZone.fromHostedZoneAttributes(dns, `Zone-${zoneName}`, { zoneName, hostedZoneId });
}

describe('EKS: cert-manager with DNS-01 through Route 53 in the named zones', () => {
  const app = new App();
  const addOn = new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: [zone(app), zone(app, 'example.net', 'Z9876543210ZYXWVUTSRQ')] } });
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', addOns: [addOn] });
  const template = Template.fromStack(stack);

  test('the pinned chart with its CRDs, every pod restricted', () => {
    const [release] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter(r => r.Properties.Release === 'cert-manager');
    expect(release.Properties).toMatchObject({ Repository: 'https://charts.jetstack.io', Chart: 'cert-manager', Version: CERT_MANAGER_CHART.version, Namespace: 'cert-manager' });
    const values = JSON.parse(release.Properties.Values);
    expect(values.crds).toEqual({ enabled: true, keep: true });
    for (const c of [values, values.webhook, values.cainjector, values.startupapicheck]) {
      expect(c.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(c.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
  });

  test('a Pod Identity role that may change _acme-challenge TXT records in the named zones only', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'cert-manager', ServiceAccount: 'cert-manager' });
    const role = addOn.dns01Role!.role;
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter(p => JSON.stringify(p.Properties.Roles).includes(stack.resolve(role.roleName).Ref));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatchObject({
      Action: 'route53:ChangeResourceRecordSets',
      Condition: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
      },
    });
    expect(JSON.stringify(statements[0].Resource)).toContain(':route53:::hostedzone/Z0123456789ABCDEFGHIJ');
    expect(JSON.stringify(statements[0].Resource)).toContain(':route53:::hostedzone/Z9876543210ZYXWVUTSRQ');
    expect(statements[1].Action).toBe('route53:GetChange');
    expect(JSON.stringify(statements[1].Resource)).toContain(':route53:::change/*');
  });

  test('ClusterIssuers for production and staging, one solver per zone, valid against the CRD schema', () => {
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .filter(r => JSON.stringify(r.Properties.Manifest).includes('ClusterIssuer')).map(r => JSON.parse(deployed(r.Properties.Manifest)));
    expect(manifests).toHaveLength(1);
    const [production, staging] = manifests[0];
    expect(production.metadata.name).toBe(LETS_ENCRYPT_PRODUCTION_ISSUER);
    expect(staging.metadata.name).toBe(LETS_ENCRYPT_STAGING_ISSUER);
    expect(production.spec.acme).toMatchObject({ server: 'https://acme-v02.api.letsencrypt.org/directory', email: 'ops@example.com' });
    expect(staging.spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(production.spec.acme.solvers).toEqual([
      { selector: { dnsZones: ['example.com'] }, dns01: { route53: { hostedZoneID: 'Z0123456789ABCDEFGHIJ', region: 'eu-west-1' } } },
      { selector: { dnsZones: ['example.net'] }, dns01: { route53: { hostedZoneID: 'Z9876543210ZYXWVUTSRQ', region: 'eu-west-1' } } },
    ]);
    expectValidManifests(manifests[0], { failOnWarnings: true });
  });

  test('the traits list the issuers and their zones', () => {
    expect(stack.cluster.traits.certificateIssuers).toEqual([
      { name: LETS_ENCRYPT_PRODUCTION_ISSUER, dnsZones: ['example.com', 'example.net'] },
      { name: LETS_ENCRYPT_STAGING_ISSUER, dnsZones: ['example.com', 'example.net'] },
    ]);
  });
});

describe('k3s: cert-manager with HTTP-01 through Traefik', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-manager-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  const stack = new SelfManagedPlatformStack(app, 'acme-k3s', {
    platformName: 'acme',
    cluster: { ingress: IngressExposure.internetFacing() },
    addOns: [new CertManager({ letsEncrypt: { email: 'ops@example.com' } })],
  });
  const shop = new PlatformChart(new Cdk8sApp(), 'shop', { traits: stack.cluster.traits, namespace: 'shop' });
  new WebService(shop, 'web', { image: 'nginxinc/nginx-unprivileged:1.27.3', ingress: { hosts: ['shop.example.com'], tls: Tls.letsEncrypt() } });
  stack.cluster.addWorkloads('shop', [shop]);
  app.synth();
  const objects = yamlObjects(outdir);

  test('the chart is a HelmChart object; the issuers are delivered after it, valid against the CRD schema', () => {
    const helmChart = objects.find(o => o.kind === 'HelmChart' && o.metadata.name === 'cert-manager');
    expect(helmChart.spec).toMatchObject({ repo: 'https://charts.jetstack.io', chart: 'cert-manager', version: CERT_MANAGER_CHART.version, targetNamespace: 'cert-manager' });
    const issuers = objects.filter(o => o.kind === 'ClusterIssuer');
    expect(issuers.map(i => i.metadata.name).sort()).toEqual([LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_STAGING_ISSUER]);
    for (const i of issuers) expect(i.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'traefik' } } }]);
    expectValidManifests(issuers, { failOnWarnings: true });
  });

  test('a web service with Tls.letsEncrypt() gets its Certificate from the production issuer', () => {
    const cert = objects.find(o => o.kind === 'Certificate');
    expect(cert.spec).toMatchObject({ secretName: 'web-tls', dnsNames: ['shop.example.com'], issuerRef: { kind: 'ClusterIssuer', name: LETS_ENCRYPT_PRODUCTION_ISSUER } });
    expectValidManifests(objects.filter(o => o.metadata?.labels?.['platform.cdk-k8s.io/delivery']?.startsWith('shop')), { failOnWarnings: true, disableRules: ['xref/network-policy'] });
    expect(objects.find(o => o.kind === 'NetworkPolicy' && o.metadata.name === 'web-acme-http01')).toBeDefined();
  });
});

describe('bad input is refused at synth, naming the prop and the value', () => {
  const k3s = (options: Record<string, unknown> = {}) => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ...options }).cluster;
  const eks = () => new EksPlatformStack(new App(), 'e', { platformName: 'acme' }).cluster;
  const publicK3s = () => k3s({ cluster: { ingress: IngressExposure.internetFacing() } });

  test('a Let\'s Encrypt issuer without an email', () => {
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: {} as never }).install(publicK3s())))
      .toContain('CertManager.letsEncrypt.email is undefined: is required: the address Let\'s Encrypt writes to');
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: { email: 'ops' } }).install(publicK3s())))
      .toContain('CertManager.letsEncrypt.email is "ops": is required');
  });

  test('HTTP-01 on a cluster with no public ingress', () => {
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: { email: 'ops@example.com' } }).install(k3s())))
      .toBe('[k/Cluster] CertManager.letsEncrypt is "HTTP-01": cannot work on cluster acme: its ingress controller is not reachable from the internet, '
        + 'so Let\'s Encrypt cannot fetch the challenge. Expose it with ingress: IngressExposure.internetFacing(), or use dns01Zones (on k3s and kubeadm with the cluster\'s workloadIdentity: {}).');
  });

  test('HTTP-01 on kubeadm with a public ingress is accepted, as on k3s', () => {
    const cluster = k3s({ distribution: SelfManagedDistribution.kubeadm(), cluster: { ingress: IngressExposure.internetFacing() } });
    new CertManager({ letsEncrypt: { email: 'ops@example.com' } }).install(cluster);
    expect(cluster.traits.certificateIssuers.map(i => i.name)).toEqual([LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_STAGING_ISSUER]);
  });

  test('HTTP-01 on an ALB cluster', () => {
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: { email: 'ops@example.com' } }).install(eks())))
      .toContain('CertManager.letsEncrypt.dns01Zones is undefined: is required on cluster acme: its ingress is an ALB, which serves ACM certificates only');
  });

  test('a zone whose name is known only at deploy time, and no zone at all', () => {
    const app = new App();
    const cluster = new EksPlatformStack(app, 'e', { platformName: 'acme' }).cluster;
    const tokenZone = route53.HostedZone.fromHostedZoneAttributes(new Stack(app, 'dns'), 'Zone', { hostedZoneId: 'Z1', zoneName: Fn.importValue('zone-name') });
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: [tokenZone] } }).install(cluster)))
      .toMatch(/CertManager\.letsEncrypt\.dns01Zones\[0\]\.zoneName is "\$\{Token\[.*\]\}": must be known at synth time \(hosts are checked against it\)/);
    expect(expectThrownMessage(() => new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: [] } }).install(eks())))
      .toContain('CertManager.letsEncrypt.dns01Zones is "0 zones": must name at least one Route 53 hosted zone');
  });
});
