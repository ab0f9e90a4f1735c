/**
 * Shared fixtures of the add-on suites that run on k3s and kubeadm with workload identity (external-dns,
 * cert-manager DNS-01): a concrete environment, both distributions, two named zones, the YAML objects of a
 * cloud assembly and a role's own policy statements.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { parseAllDocuments } from 'yaml';
import { SelfManagedDistribution } from '../../lib';
import { flatten } from '../clusters/self-managed/support/user-data';

export const ENV = { account: '123456789012', region: 'eu-west-1' };
export const DISTRIBUTIONS: Array<[string, SelfManagedDistribution]> = [['k3s', SelfManagedDistribution.k3s()], ['kubeadm', SelfManagedDistribution.kubeadm()]];

export function yamlObjects(dir: string): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlObjects(p);
    return /\.ya?ml$/.test(e.name) ? parseAllDocuments(fs.readFileSync(p, 'utf8')).map(d => d.toJSON()).filter(Boolean) : [];
  });
}

export function zones(app: App): route53.IHostedZone[] {
  const dns = new Stack(app, 'dns');
  return [
    route53.HostedZone.fromHostedZoneAttributes(dns, 'Com', { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' }),
    route53.HostedZone.fromHostedZoneAttributes(dns, 'Net', { zoneName: 'example.net', hostedZoneId: 'Z9876543210ZYXWVUTSRQ' }),
  ];
}

/** The statements of the role's own policy (its DefaultPolicy), as in the template. */
export function statementsOf(stack: Stack, role: iam.IRole): unknown[] {
  const id = stack.getLogicalId(role.node.defaultChild as CfnElement);
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter(p => JSON.stringify(p.Properties.Roles).includes(`"${id}"`));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

/**
 * A web-identity role's trust (its one statement must assume with web identity through the cluster's issuer),
 * and the `sub` and `aud` conditions it names, as [key without the issuer host, value] pairs.
 */
export function webIdentityConditions(template: Template, role: { Properties: { AssumeRolePolicyDocument: { Statement: any[] } } }): Array<[string, unknown]> {
  const [statement] = role.Properties.AssumeRolePolicyDocument.Statement;
  expect(statement).toMatchObject({ Action: 'sts:AssumeRoleWithWebIdentity', Effect: 'Allow', Principal: { Federated: { Ref: expect.stringMatching(/IssuerProvider/) } } });
  const conditionsId = statement.Condition.StringEquals['Fn::GetAtt'][0];
  const conditions = JSON.parse(flatten(template.toJSON().Resources[conditionsId].Properties.Value)) as Record<string, unknown>;
  return Object.entries(conditions).map(([k, v]) => [k.replace(/^.*:/, ''), v]);
}
