import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import { PropValidator } from '../../workloads/private/validate';

/** A Route 53 hosted zone an add-on may change records in, with its name known at synth. */
export interface NamedZone {
  readonly zoneName: string;
  readonly hostedZoneId: string;
  readonly hostedZoneArn: string;
}

/**
 * The hosted zones of `prop`: at least one, each with a literal name (hosts are checked against it at synth;
 * `HostedZone.fromHostedZoneAttributes` gives one without a lookup), no zone twice.
 */
export function namedZones(v: PropValidator, prop: string, zones: route53.IHostedZone[] | undefined): NamedZone[] {
  v.check(Array.isArray(zones) && zones.length > 0, prop, zones === undefined ? undefined : `${zones.length} zones`,
    'must name at least one Route 53 hosted zone, e.g. [route53.HostedZone.fromHostedZoneAttributes(this, \'Zone\', { hostedZoneId, zoneName })].');
  const out = zones!.map((z, i) => {
    const name = z.zoneName;
    v.check(!Token.isUnresolved(name), `${prop}[${i}].zoneName`, name,
      'must be known at synth time (hosts are checked against it): use HostedZone.fromHostedZoneAttributes({ hostedZoneId, zoneName }) or a zone created in this app.');
    v.hostname(`${prop}[${i}].zoneName`, name.replace(/\.$/, ''));
    return { zoneName: name.replace(/\.$/, ''), hostedZoneId: z.hostedZoneId, hostedZoneArn: z.hostedZoneArn };
  });
  v.unique(prop, out.map(z => z.zoneName), 'hosted zone');
  return out;
}

/** The ARN of every change in Route 53 (GetChange has no finer resource). */
export function route53ChangeArn(scope: IConstruct): string {
  return Stack.of(scope).formatArn({ service: 'route53', region: '', account: '', resource: 'change', resourceName: '*' });
}

/** Read a change's status: what both controllers poll after a change. */
export function getChangeStatement(scope: IConstruct): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ['route53:GetChange'], resources: [route53ChangeArn(scope)] });
}
