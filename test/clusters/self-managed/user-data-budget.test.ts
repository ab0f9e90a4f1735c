import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { KubeadmCluster } from '../../../lib/clusters/kubeadm';
import { PlatformNetwork } from '../../../lib/network';

/**
 * EC2 takes at most 16 KB of user data, counted after CloudFormation resolved it (before base64). The other
 * tests measure it with short placeholders for the references; this one gives each reference the length it has
 * once deployed, at its longest plausible, so the margin it reports is the real one.
 */
const LIMIT = 16 * 1024;
const REGION = 'ap-southeast-2'; // a long region name
const ACCOUNT = '123456789012';
const STACK = 'platform-production-k3s-cluster'; // a longer stack name than most

/** What CloudFormation resolves each intrinsic of the user data to (Secrets Manager ARNs, bucket and DNS names). */
function resolve(value: unknown, resources: Record<string, { Type: string }>): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) throw new Error(`unexpected array ${JSON.stringify(value)}`);
  const o = value as Record<string, unknown>;
  if ('Fn::Base64' in o) return resolve(o['Fn::Base64'], resources);
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(p => resolve(p, resources)).join(sep);
  }
  if ('Ref' in o) {
    const ref = o.Ref as string;
    const pseudo: Record<string, string> = { 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::StackName': STACK, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::Partition': 'aws' };
    if (pseudo[ref]) return pseudo[ref];
    const type = resources[ref]?.Type;
    // a generated secret name: <logical id>-<12 characters>, then Secrets Manager's 6-character suffix
    if (type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${ref}-abcdefghijkl-AbCdEf`;
    // a generated bucket name is at most 63 characters
    if (type === 'AWS::S3::Bucket') return 'b'.repeat(63);
    return `${ref}-${'x'.repeat(20)}`;
  }
  if ('Fn::GetAtt' in o) {
    const [, attr] = o['Fn::GetAtt'] as string[];
    // an NLB's DNS name: <name, at most 32>-<16 hex>.elb.<region>.amazonaws.com; CloudFront's: d<13>.cloudfront.net
    if (attr === 'DNSName') return `${'n'.repeat(32)}-0123456789abcdef.elb.${REGION}.amazonaws.com`;
    if (attr === 'DomainName') return 'd111111abcdef8.cloudfront.net';
    return `${attr}-${'x'.repeat(40)}`;
  }
  if ('Fn::Sub' in o) return (o['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => resolve({ Ref: name }, resources));
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** The resolved size of every launch template's user data of a cluster built by `make`, by logical id. */
function sizes(make: (stack: Stack, vpc: PlatformNetwork['vpc']) => void): Record<string, number> {
  const stack = new Stack(new App(), 'budget', { env: { account: ACCOUNT, region: REGION } });
  make(stack, new PlatformNetwork(stack, 'Network', { azCount: 3 }).vpc);
  const template = Template.fromStack(stack).toJSON();
  const resources = template.Resources as Record<string, { Type: string; Properties: { LaunchTemplateData?: { UserData?: unknown } } }>;
  return Object.fromEntries(Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::EC2::LaunchTemplate')
    .map(([id, r]) => [id, Buffer.byteLength(resolve(r.Properties.LaunchTemplateData!.UserData, resources))]));
}

describe('user data stays under EC2\'s 16 KB once CloudFormation resolved it', () => {
  const clusters: Array<[string, (stack: Stack, vpc: PlatformNetwork['vpc']) => void]> = [
    ['k3s', (s, vpc) => new K3sCluster(s, 'Cluster', { vpc, clusterName: 'platform-production' })],
    ['k3s HA', (s, vpc) => new K3sCluster(s, 'Cluster', { vpc, clusterName: 'platform-production', highAvailability: true })],
    ['k3s with workload identity', (s, vpc) => new K3sCluster(s, 'Cluster', { vpc, clusterName: 'platform-production', workloadIdentity: {} })],
    ['kubeadm', (s, vpc) => new KubeadmCluster(s, 'Cluster', { vpc, clusterName: 'platform-production' })],
    ['kubeadm with workload identity', (s, vpc) => new KubeadmCluster(s, 'Cluster', { vpc, clusterName: 'platform-production', workloadIdentity: {} })],
  ];

  test.each(clusters)('%s', (_name, make) => {
    const all = sizes(make);
    expect(Object.keys(all).length).toBeGreaterThanOrEqual(1);
    for (const [id, bytes] of Object.entries(all)) expect({ id, bytes, underLimit: bytes < LIMIT }).toEqual({ id, bytes, underLimit: true });
  });
});
