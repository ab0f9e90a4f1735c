import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { getChangeStatement, NamedZone } from '../../private/hosted-zones';

/** The ACME directories of Let's Encrypt. */
export const LETS_ENCRYPT_SERVERS = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

/** How the issuers prove control of a name. */
export type IssuerSolver = { readonly http01: { readonly ingressClassName: string } } | { readonly dns01: NamedZone[] };

/** The ClusterIssuer `name` for Let's Encrypt's `server`, with one solver (`region`: the STS region of DNS-01). */
export function clusterIssuer(name: string, server: string, email: string, solver: IssuerSolver, region: string): Record<string, unknown> {
  const solvers = 'http01' in solver
    ? [{ http01: { ingress: { ingressClassName: solver.http01.ingressClassName } } }]
    // one solver per zone: cert-manager picks the one whose dnsZones hold the name, and needs no zone lookup
    : solver.dns01.map(z => ({ selector: { dnsZones: [z.zoneName] }, dns01: { route53: { hostedZoneID: z.hostedZoneId, region } } }));
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' } },
    spec: { acme: { server, email, privateKeySecretRef: { name: `${name}-account-key` }, solvers } },
  };
}

/**
 * What cert-manager needs for DNS-01 in the named zones: change TXT records named `_acme-challenge.*` in those
 * zones only, and read the status of its changes. No ListHostedZonesByName: each solver names its zone id.
 */
export function dns01Statements(scope: IConstruct, zones: NamedZone[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['route53:ChangeResourceRecordSets'],
      resources: zones.map(z => z.hostedZoneArn),
      conditions: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
      },
    }),
    getChangeStatement(scope),
  ];
}
