import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { App as Cdk8sApp } from 'cdk8s';
import {
  DnsRecordPolicy, EksPlatformStack, EXTERNAL_DNS_CHART, ExternalDns, PlatformChart, Tls, WebService,
} from '../../lib';
import { expectThrownMessage } from '../robustness/support';

/** Helm values as deployed in eu-west-1 (the stack's region is their only token). */
function deployed(values: unknown): string {
  if (typeof values === 'string') return values;
  const [, parts] = (values as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map(p => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Region"}' ? 'eu-west-1' : JSON.stringify(p))).join('');
}

function zone(app: App, zoneName = 'example.com', hostedZoneId = 'Z0123456789ABCDEFGHIJ'): route53.IHostedZone {
  const dns = (app.node.tryFindChild('dns') as Stack | undefined) ?? new Stack(app, 'dns');
  return route53.HostedZone.fromHostedZoneAttributes(dns, `Zone-${zoneName}`, { zoneName, hostedZoneId });
}

describe('EKS: external-dns with Route 53 in the named zones', () => {
  const app = new App();
  const addOn = new ExternalDns({ hostedZones: [zone(app), zone(app, 'example.net', 'Z9876543210ZYXWVUTSRQ')] });
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', addOns: [addOn] });
  const template = Template.fromStack(stack);
  const [release] = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).filter(r => r.Properties.Release === 'external-dns');
  const values = JSON.parse(deployed(release.Properties.Values));

  test('the pinned chart: Route 53, the named zones only, TXT ownership by cluster name, upsert-only', () => {
    expect(release.Properties).toMatchObject({
      Repository: EXTERNAL_DNS_CHART.repository, Chart: 'external-dns', Version: EXTERNAL_DNS_CHART.version, Namespace: 'external-dns',
    });
    expect(values).toMatchObject({
      image: { tag: 'v0.21.0' },
      provider: { name: 'aws' },
      env: [{ name: 'AWS_REGION', value: 'eu-west-1' }],
      serviceAccount: { create: true, name: 'external-dns' },
      sources: ['ingress', 'service'],
      policy: 'upsert-only',
      registry: 'txt',
      txtOwnerId: 'acme',
      domainFilters: ['example.com', 'example.net'],
      extraArgs: { 'zone-id-filter': ['Z0123456789ABCDEFGHIJ', 'Z9876543210ZYXWVUTSRQ'] },
    });
  });

  test('restricted pods', () => {
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('a Pod Identity role that may change records in the named zones only', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'external-dns', ServiceAccount: 'external-dns' });
    const ref = stack.resolve(addOn.identity!.role.roleName).Ref;
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy')).filter(p => JSON.stringify(p.Properties.Roles).includes(ref));
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements.map((s: { Action: unknown }) => s.Action)).toEqual([
      ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
      'route53:ListHostedZones',
      'route53:GetChange',
    ]);
    const zones = JSON.stringify(statements[0].Resource);
    expect(zones).toContain(':route53:::hostedzone/Z0123456789ABCDEFGHIJ');
    expect(zones).toContain(':route53:::hostedzone/Z9876543210ZYXWVUTSRQ');
    expect(statements[0].Resource).toHaveLength(2);
    expect(statements[1].Resource).toBe('*');
  });

  test('the chart waits for the role; the traits list the zones, and ingress hosts are checked against them', () => {
    const association = Object.keys(template.findResources('AWS::EKS::PodIdentityAssociation')).find(id => id.includes('ExternalDns'))!;
    expect(release.DependsOn).toEqual(expect.arrayContaining([association]));
    expect(stack.cluster.traits.dnsZones).toEqual(['example.com', 'example.net']);
    const shop = new PlatformChart(new Cdk8sApp(), 'shop', { traits: stack.cluster.traits });
    expect(() => new WebService(shop, 'web', { image: 'nginxinc/nginx-unprivileged:1.27.3', ingress: { hosts: ['shop.example.com'], tls: Tls.acm('arn:aws:acm:eu-west-1:123456789012:certificate/abc-123') } }))
      .not.toThrow();
    expect(expectThrownMessage(() => new WebService(shop, 'web2', { image: 'nginxinc/nginx-unprivileged:1.27.3', ingress: { hosts: ['shop.example.org'] } })))
      .toContain('WebService.ingress.hosts[0] is "shop.example.org": is outside every DNS zone external-dns manages on this cluster ("example.com", "example.net")');
  });

  test.each([[DnsRecordPolicy.SYNC, 'sync'], [DnsRecordPolicy.CREATE_ONLY, 'create-only']])('%s when asked (create-only too: the ALB is in the Ingress status from the start)', (policy, value) => {
    const other = new App();
    const s = new EksPlatformStack(other, 'e', { platformName: 'acme', addOns: [new ExternalDns({ hostedZones: [zone(other)], policy })] });
    const [r] = Object.values(Template.fromStack(s).findResources('Custom::AWSCDK-EKS-HelmChart')).filter(x => x.Properties.Release === 'external-dns');
    expect(JSON.parse(deployed(r.Properties.Values)).policy).toBe(value);
  });
});

describe('bad input is refused at synth, naming the prop and the value', () => {
  test('no hosted zone', () => {
    const cluster = new EksPlatformStack(new App(), 'e', { platformName: 'acme' }).cluster;
    expect(expectThrownMessage(() => new ExternalDns({ hostedZones: [] }).install(cluster)))
      .toContain('[e/Eks] ExternalDns.hostedZones is "0 zones": must name at least one Route 53 hosted zone');
  });

  test('the same zone twice, an unknown policy', () => {
    const app = new App();
    const cluster = new EksPlatformStack(app, 'e', { platformName: 'acme' }).cluster;
    const twin = route53.HostedZone.fromHostedZoneAttributes(new Stack(app, 'other'), 'Twin', { zoneName: 'example.com', hostedZoneId: 'Z2' });
    expect(expectThrownMessage(() => new ExternalDns({ hostedZones: [zone(app), twin] }).install(cluster)))
      .toContain('ExternalDns.hostedZones is "example.com": each hosted zone may appear only once.');
    expect(expectThrownMessage(() => new ExternalDns({ hostedZones: [zone(app, 'example.org')], policy: 'delete-all' as DnsRecordPolicy }).install(cluster)))
      .toContain('ExternalDns.policy is "delete-all": must be one of DnsRecordPolicy.UPSERT_ONLY ("upsert-only")');
  });
});
