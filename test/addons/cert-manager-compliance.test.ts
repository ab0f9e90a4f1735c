/*
 * The IAM the TLS and DNS add-ons add passes cdk-nag's AwsSolutions and NIST 800-53 R5 packs: every finding
 * on their constructs is acknowledged with a reason (the wildcard resources Route 53 forces) or absent.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { CertManager, EksPlatformStack, ExternalDns } from '../../lib';

const app = new App();
const dns = new Stack(app, 'dns');
const zone = route53.HostedZone.fromHostedZoneAttributes(dns, 'Zone', { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
const stack = new EksPlatformStack(app, 'acme-eks', {
  platformName: 'acme',
  addOns: [new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: [zone] } }), new ExternalDns({ hostedZones: [zone] })],
});

test.each<[string, () => NagPack]>([
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['NIST 800-53 R5', () => new NIST80053R5Checks()],
])('%s: no unacknowledged finding on the add-ons\' constructs', (_name, pack) => {
  const report = pack().validateScope(stack);
  const ours = report.violations.flatMap(x => x.violatingResources.map(r => `${x.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`))
    .filter(v => /\/(CertManager|ExternalDns)\//.test(v));
  const constructs = stack.node.findAll().map(c => c.node.path).filter(p => /\/(CertManager|ExternalDns)\//.test(p));
  expect(constructs.length).toBeGreaterThan(4); // the scan sees the add-ons' roles and associations
  expect(ours).toEqual([]);
});
