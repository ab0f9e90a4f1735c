import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ClusterEndpointAccess, EKS_VERSIONS } from '../../lib/clusters/eks';
import { NatGateways } from '../../lib/network';
import { EksPlatformStack } from '../../lib/platform';

describe('EksPlatformStack with defaults', () => {
  let stack: EksPlatformStack;
  let template: Template;
  beforeAll(() => {
    stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme' });
    template = Template.fromStack(stack);
  });

  // How fast it synthesizes is measured by the benchmark (docs/benchmarks.md), not timed here.
  test('synthesizes env-agnostic, with no lookups (no missing context)', () => {
    expect(Token.isUnresolved(stack.account) && Token.isUnresolved(stack.region)).toBe(true);
    expect((stack.node.root as App).synth().manifest.missing).toBeUndefined();
  });

  test('outputs: cluster name, update-kubeconfig command with the admin role, admin role ARN', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.ClusterName.Value).toBe('acme');
    expect(outputs.AdminRoleArn.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EksAdminRole/), 'Arn'] });
    expect(outputs.UpdateKubeconfigCommand.Value).toEqual({
      'Fn::Join': ['', ['aws eks update-kubeconfig --name acme --region ', { Ref: 'AWS::Region' }, ' --role-arn ', outputs.AdminRoleArn.Value]],
    });
  });

  test('composes the network (3 AZs, 1 NAT) and the cluster in it', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EKS::Cluster', { Name: 'acme', Version: EKS_VERSIONS.kubernetesVersion.version });
    expect(stack.cluster.traits.ingressTrafficSource?.cidrs).toEqual(['10.0.0.0/16']);
  });

  test('stays far below the CloudFormation quotas', () => {
    const json = JSON.stringify(template.toJSON());
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(150);
    expect(json.length).toBeLessThan(200_000);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding, and every acknowledgement has a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map(v => `${v.ruleName} at ${v.violatingResources.map(r => r.constructPath).join(', ')}`)).toEqual([]);
    const reasons: string[] = [];
    const visit = (c: import('constructs').IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type === 'aws:cdk:acknowledged-rules') reasons.push(...Object.values(m.data as Record<string, string>));
      }
      c.node.children.forEach(visit);
    };
    visit(stack);
    expect(reasons.length).toBeGreaterThan(5);
    for (const r of reasons) expect(r.length).toBeGreaterThan(30);
  });
});

describe('EksPlatformStack options', () => {
  test('production network and a restricted endpoint flow from the one config', () => {
    const stack = new EksPlatformStack(new App(), 'prod-eks', {
      platformName: 'prod',
      network: { natGateways: NatGateways.onePerAz(), cidr: '10.8.0.0/16' },
      endpointAccess: ClusterEndpointAccess.publicAndPrivate('198.51.100.0/24'),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.hasResourceProperties('AWS::EKS::Cluster', { Name: 'prod', ResourcesVpcConfig: { PublicAccessCidrs: ['198.51.100.0/24'] } });
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  test('the API endpoint is private by default', () => {
    const stack = new EksPlatformStack(new App(), 'private-eks', { platformName: 'acme' });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Cluster', { ResourcesVpcConfig: { EndpointPublicAccess: false, EndpointPrivateAccess: true } });
  });

  test('one encryptionKey encrypts the flow log group and the control-plane log group', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys');
    const key = new kms.Key(keys, 'PlatformKey', { enableKeyRotation: true });
    const stack = new EksPlatformStack(app, 'keyed-eks', { platformName: 'keyed', encryptionKey: key });
    const groups = Object.values(Template.fromStack(stack).findResources('AWS::Logs::LogGroup')) as Array<{ Properties: { KmsKeyId?: unknown } }>;
    expect(groups).toHaveLength(2);
    for (const g of groups) expect(JSON.stringify(g.Properties.KmsKeyId)).toContain('PlatformKey');
    // the key lives in another stack, but in this app: its policy gets both CloudWatch Logs statements
    const keyResources = Template.fromStack(keys).toJSON().Resources as Record<string, any>;
    const statements = keyResources[keys.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties.KeyPolicy.Statement;
    expect(statements.map((x: { Sid?: string }) => x.Sid)).toEqual(expect.arrayContaining(['AllowCloudWatchLogs', 'AllowCloudWatchLogsawsekskeyedcluster']));
  });

  test('validation: the endpoint needs CIDRs and refuses /0 without the opt-in, naming the stack prop', () => {
    expect(() => new EksPlatformStack(new App(), 'open', { platformName: 'open', endpointAccess: ClusterEndpointAccess.publicAndPrivate('0.0.0.0/0') })).toThrow(
      '[open] EksPlatformStack.endpointAccess is "ClusterEndpointAccess.publicAndPrivate(\'0.0.0.0/0\')": opens the public endpoint to every address ("0.0.0.0/0"). '
      + 'List narrower CIDRs, or opt in explicitly with ClusterEndpointAccess.publicFromAnywhere() if the API must be reachable from anywhere.');
    expect(() => new EksPlatformStack(new App(), 'none', { platformName: 'none', endpointAccess: ClusterEndpointAccess.publicAndPrivate() }))
      .toThrow('[none] EksPlatformStack.endpointAccess is "ClusterEndpointAccess.publicAndPrivate()": lists no CIDR');
    expect(() => new EksPlatformStack(new App(), 'bad', { platformName: 'bad', endpointAccess: ClusterEndpointAccess.publicAndPrivate('10.0.0.300/32') }))
      .toThrow('[bad] EksPlatformStack.endpointAccess.publicCidrs[0] is "10.0.0.300/32": must be an IPv4 CIDR block');
  });

  test('an existing VPC is used as is', () => {
    const app = new App();
    const vpcStack = new Stack(app, 'Shared');
    const vpc = new ec2.Vpc(vpcStack, 'Vpc');
    const stack = new EksPlatformStack(app, 'byo-eks', { platformName: 'byo', network: { existingVpc: vpc } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EKS::Cluster', 1);
    expect(stack.network.vpc).toBe(vpc);
  });

  test('validation: platformName and conflicting network settings', () => {
    expect(() => new EksPlatformStack(new App(), 'x', { platformName: 'Acme_Platform' }))
      .toThrow('[x] EksPlatformStack.platformName is "Acme_Platform": must be 2-40 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit (e.g. "acme").');
    const app = new App();
    const vpc = new ec2.Vpc(new Stack(app, 'Shared'), 'Vpc');
    expect(() => new EksPlatformStack(app, 'y', { platformName: 'y1', network: { existingVpc: vpc, cidr: '10.1.0.0/16' } }))
      .toThrow('[y] EksPlatformStack.network.cidr is "10.1.0.0/16": cannot be set together with network.existingVpc; configure the existing VPC directly.');
  });
});
