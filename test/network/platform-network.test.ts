import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FlowLogs, NatGateways, PlatformNetwork, PlatformNetworkProps } from '../../lib/network';

function synth(props?: PlatformNetworkProps): { stack: Stack; network: PlatformNetwork; template: Template } {
  const stack = new Stack(new App(), 'Net');
  const network = new PlatformNetwork(stack, 'Network', props);
  return { stack, network, template: Template.fromStack(stack) };
}

describe('PlatformNetwork defaults', () => {
  let template: Template;
  let network: PlatformNetwork;
  beforeAll(() => ({ template, network } = synth()));

  test('3 AZs resolved at deploy time: 3 public and 3 private subnets, no account or lookup needed', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    for (const i of [0, 1, 2]) {
      template.hasResourceProperties('AWS::EC2::Subnet', {
        AvailabilityZone: { 'Fn::Select': [i, { 'Fn::GetAZs': '' }] },
      });
    }
    expect(network.vpc.availabilityZones).toHaveLength(3);
  });

  test('public subnets are tagged kubernetes.io/role/elb, private subnets kubernetes.io/role/internal-elb', () => {
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet')) as Array<{ Properties: { Tags: Array<{ Key: string; Value: string }> } }>;
    const tagsOf = (type: string) => subnets
      .filter(s => s.Properties.Tags.some(t => t.Key === 'aws-cdk:subnet-type' && t.Value === type))
      .map(s => Object.fromEntries(s.Properties.Tags.map(t => [t.Key, t.Value])));
    expect(tagsOf('Public')).toHaveLength(3);
    expect(tagsOf('Private')).toHaveLength(3);
    for (const tags of tagsOf('Public')) {
      expect(tags['kubernetes.io/role/elb']).toBe('1');
      expect(tags['kubernetes.io/role/internal-elb']).toBeUndefined();
    }
    for (const tags of tagsOf('Private')) {
      expect(tags['kubernetes.io/role/internal-elb']).toBe('1');
      expect(tags['kubernetes.io/role/elb']).toBeUndefined();
    }
  });

  test('one NAT gateway by default', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('CIDR 10.0.0.0/16 with /22 public and /19 private subnets, DNS on, no public IPs on launch', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: Match.stringLikeRegexp('/22$'), MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::Subnet', { CidrBlock: Match.stringLikeRegexp('/19$') });
    expect(network.vpcCidr).toBe('10.0.0.0/16');
  });

  test('flow logs of all traffic go to a retained CloudWatch log group with a retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 90 }, DeletionPolicy: 'Retain' });
  });

  test('an S3 gateway endpoint on the route tables', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
    });
  });

  test('logical IDs come from the construct tree (stable across app changes)', () => {
    const ids = Object.keys(template.toJSON().Resources);
    expect(ids).toEqual(expect.arrayContaining([expect.stringMatching(/^NetworkVpc[0-9A-F]{8}$/), expect.stringMatching(/^NetworkVpcPrivateSubnet1Subnet[0-9A-F]{8}$/)]));
  });
});

describe('PlatformNetwork options', () => {
  test('NatGateways.onePerAz() makes one NAT gateway per AZ', () => {
    synth({ natGateways: NatGateways.onePerAz() }).template.resourceCountIs('AWS::EC2::NatGateway', 3);
    expect(NatGateways.onePerAz().countFor(2)).toBe(2);
    expect(NatGateways.single().countFor(3)).toBe(1);
  });

  test('2 AZs, listed zones, flow logs to S3, no S3 endpoint', () => {
    const { template } = synth({
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      flowLogs: FlowLogs.s3(),
      s3GatewayEndpoint: false,
      cidr: '10.20.0.0/18',
    });
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'eu-west-1b', CidrBlock: Match.stringLikeRegexp('/21$') });
    template.hasResourceProperties('AWS::EC2::FlowLog', { LogDestinationType: 's3' });
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ BucketEncryption: Match.anyValue(), PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }) }),
    });
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('azCount 2 and a custom flow-log retention', () => {
    const { template } = synth({ azCount: 2, flowLogs: FlowLogs.cloudWatch({ retention: logs.RetentionDays.ONE_WEEK }) });
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('fromVpc wraps an existing VPC without creating resources', () => {
    const stack = new Stack(new App(), 'Existing');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', {
      vpcId: 'vpc-123',
      vpcCidrBlock: '172.16.0.0/16',
      availabilityZones: ['a', 'b'],
      privateSubnetIds: ['s-1', 's-2'],
      publicSubnetIds: ['s-3', 's-4'],
    });
    const network = PlatformNetwork.fromVpc(stack, 'Network', vpc);
    expect(network.vpc).toBe(vpc);
    expect(network.vpcCidr).toBe('172.16.0.0/16');
    expect(network.createdVpc).toBeUndefined();
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toHaveLength(0);
    Annotations.fromStack(stack).hasInfo('/Existing/Network', Match.stringLikeRegexp('kubernetes.io/role/elb'));
  });
});

describe('PlatformNetwork validation', () => {
  const make = (props: PlatformNetworkProps) => () => new PlatformNetwork(new Stack(new App(), 'V'), 'Network', props);

  test('azCount must be 2 or 3', () => {
    expect(make({ azCount: 4 })).toThrow('[V/Network] PlatformNetwork.azCount is 4: must be an integer from 2 to 3.');
  });

  test('cidr must be an IPv4 block from /16 to /20', () => {
    expect(make({ cidr: '10.0.0.0/8' })).toThrow('[V/Network] PlatformNetwork.cidr is "10.0.0.0/8": must be an IPv4 CIDR block with a prefix length from /16 to /20, such as "10.0.0.0/16".');
    expect(make({ cidr: '10.0.0/16' })).toThrow('PlatformNetwork.cidr is "10.0.0/16": must be an IPv4 CIDR block');
  });

  test('availabilityZones must list 2 or 3 distinct zones', () => {
    expect(make({ availabilityZones: ['eu-west-1a'] })).toThrow('[V/Network] PlatformNetwork.availabilityZones is ["eu-west-1a"]: must list 2 or 3 Availability Zones, e.g. ["eu-west-1a", "eu-west-1b", "eu-west-1c"].');
    expect(make({ availabilityZones: ['eu-west-1a', 'eu-west-1a'] })).toThrow('must not list the same zone twice.');
  });
});

describe('CdkPropValidator (lib/private/validate.ts)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CdkPropValidator, ValidationError } = require('../../lib/private/validate') as typeof import('../../lib/private/validate');
  const { Token } = jest.requireActual('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const v = new CdkPropValidator(new Stack(new App(), 'S'), 'Thing');

  test('values known only at deploy time (tokens) pass every check', () => {
    expect(v.integer('n', Token.asNumber({ Ref: 'P' }), 1, 2)).toBeDefined();
    expect(v.cidr('c', Token.asString({ Ref: 'C' }))).toBeDefined();
    expect(() => v.scaling('g.', { minSize: Token.asNumber({ Ref: 'Min' }), desiredSize: 1, maxSize: 2 })).not.toThrow();
  });

  test('errors are ValidationErrors naming path, prop and value', () => {
    expect(() => v.integer('count', 1.5, 1, 3)).toThrow(ValidationError);
    expect(() => v.integer('count', 1.5, 1, 3)).toThrow('[S] Thing.count is 1.5: must be an integer from 1 to 3.');
    expect(() => v.scaling('spot.', { minSize: 0, desiredSize: 0, maxSize: 0 })).toThrow('[S] Thing.spot.maxSize is 0: must be an integer from 1 to 10000.');
  });
});
