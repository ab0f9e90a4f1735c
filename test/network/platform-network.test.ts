import { App, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { acknowledgementsOf } from './acknowledgements';
import { ValidationError } from '../../lib/errors';
import { FlowLogs, NatGateways, PlatformNetwork, PlatformNetworkProps } from '../../lib/network';
import { cdkPropValidator } from '../../lib/private/validate';
import { PropValidator } from '../../lib/workloads/private/validate';

function synth(props?: PlatformNetworkProps): { stack: Stack; network: PlatformNetwork; template: Template } {
  const stack = new Stack(new App(), 'Net');
  const network = new PlatformNetwork(stack, 'Network', props);
  return { stack, network, template: Template.fromStack(stack) };
}

describe('PlatformNetwork defaults', () => {
  let template: Template;
  let network: PlatformNetwork;
  let stack: Stack;
  beforeAll(() => ({ template, network, stack } = synth()));

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

  test('flow logs of all traffic go to a retained CloudWatch log group kept a year', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365, KmsKeyId: Match.absent() }, DeletionPolicy: 'Retain' });
    // no encryptionKey: the customer-managed-key findings are acknowledged, naming the prop
    const acks = acknowledgementsOf(network.node.findChild('FlowLogGroup'));
    expect(acks.map(a => a.id).sort()).toEqual(['NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check']);
    for (const a of acks) expect(a.reason).toContain('encryptionKey');
  });

  test('the default security group is closed (its rules removed at deploy time)', () => {
    const [vpcId] = Object.keys(template.findResources('AWS::EC2::VPC'));
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] } });
    // the deploy-time function is aws-cdk-lib's; only the guard rule that wants it in a VPC is acknowledged
    expect(acknowledgementsOf(stack.node.findChild('Custom::VpcRestrictDefaultSGCustomResourceProvider')).map(a => a.id))
      .toEqual(['cdk-validator-cfnguard::lambda_inside_vpc_check']);
  });

  test('public subnets: their route to the internet gateway is acknowledged; the flow log role\'s default policy too', () => {
    for (const subnet of network.publicSubnets) {
      expect(acknowledgementsOf(subnet).map(a => a.id)).toEqual(['NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW']);
    }
    for (const subnet of network.privateSubnets) expect(acknowledgementsOf(subnet)).toEqual([]);
    // (aws-cdk-lib acknowledges CloudFormation-Validate rules on the flow log itself)
    expect(acknowledgementsOf(network.node.findChild('Vpc').node.findChild('FlowLog')).map(a => a.id).filter(id => !id.startsWith('CloudFormation-Validate::')))
      .toEqual(['NIST.800.53.R5-IAMNoInlinePolicy']);
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
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
        VersioningConfiguration: { Status: 'Enabled' },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        LifecycleConfiguration: {
          Rules: [
            { ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' },
            { ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
          ],
        },
      }),
    });
    // EventBridge through CloudFormation: no notifications custom resource (and its Lambda)
    template.resourceCountIs('AWS::Lambda::Function', 1); // the default security group's cleanup only
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('azCount 2 and a custom flow-log retention, shorter than a year: acknowledged as the user\'s choice', () => {
    const { template, network } = synth({ azCount: 2, flowLogs: FlowLogs.cloudWatch({ retention: logs.RetentionDays.ONE_WEEK }) });
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    expect(acknowledgementsOf(network.node.findChild('FlowLogGroup'))).toContainEqual(expect.objectContaining({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason: expect.stringContaining('7 days (flowLogs: FlowLogs.cloudWatch({ retention }))'),
    }));
  });

  test('flow logs kept forever: the missing retention is acknowledged as the user\'s choice', () => {
    const { network } = synth({ flowLogs: FlowLogs.cloudWatch({ retention: logs.RetentionDays.INFINITE }) });
    const acks = acknowledgementsOf(network.node.findChild('FlowLogGroup')).filter(a => /[Rr]etention/.test(a.id));
    expect(acks.map(a => a.id).sort()).toEqual(['NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod', 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check']);
    for (const a of acks) expect(a.reason).toContain('flowLogs: FlowLogs.cloudWatch({ retention }): RetentionDays.INFINITE');
  });

  test('a created flow-log bucket: only the findings inherent to a log bucket are acknowledged, and S3-managed keys without encryptionKey', () => {
    const ids = (props: PlatformNetworkProps) => acknowledgementsOf(synth(props).network.node.findChild('FlowLogBucket')).map(a => a.id).sort();
    const inherent = ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled',
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check'];
    expect(ids({ flowLogs: FlowLogs.s3() })).toEqual([...inherent, 'NIST.800.53.R5-S3DefaultEncryptionKMS', 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check'].sort());
    const stack = new Stack(new App(), 'K');
    const network = new PlatformNetwork(stack, 'Network', { flowLogs: FlowLogs.s3(), encryptionKey: new kms.Key(stack, 'Key') });
    expect(acknowledgementsOf(network.node.findChild('FlowLogBucket')).map(a => a.id).sort()).toEqual(inherent.sort());
  });

  test('encryptionKey encrypts the flow log group; CloudWatch Logs may use the key for log groups of this account and region', () => {
    const stack = new Stack(new App(), 'Keyed');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const network = new PlatformNetwork(stack, 'Network', { encryptionKey: key });
    const template = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowCloudWatchLogs',
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']] } } },
        })]),
      },
    });
    expect(acknowledgementsOf(network.node.findChild('FlowLogGroup'))).toEqual([]);
  });

  test('an encryptionKey from another stack of the app: the guard rule that cannot follow the reference is acknowledged', () => {
    const app = new App();
    const key = new kms.Key(new Stack(app, 'Keys'), 'Key', { enableKeyRotation: true });
    const network = new PlatformNetwork(new Stack(app, 'Net'), 'Network', { encryptionKey: key });
    expect(acknowledgementsOf(network.node.findChild('FlowLogGroup'))).toEqual([expect.objectContaining({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason: expect.stringContaining('cross-stack reference'),
    })]);
  });

  test('encryptionKey with flow logs to a created S3 bucket: SSE-KMS with a bucket key; log delivery may use the key', () => {
    const stack = new Stack(new App(), 'KeyedS3');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new PlatformNetwork(stack, 'Network', { encryptionKey: key, flowLogs: FlowLogs.s3() });
    const template = Template.fromStack(stack);
    const keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } } }] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowVpcFlowLogDelivery', Principal: { Service: 'delivery.logs.amazonaws.com' }, Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
        })]),
      },
    });
  });

  test('an encryptionKey from outside the app: a warning says which key-policy statement to add', () => {
    const stack = new Stack(new App(), 'Imported');
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new PlatformNetwork(stack, 'Network', { encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: key.keyArn });
    Annotations.fromStack(stack).hasWarning('/Imported/Network', Match.stringLikeRegexp('logs.<region>.amazonaws.com .*log-group:\\*'));
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

  test('a region is not a zone, and azCount may not contradict the listed zones', () => {
    expect(make({ availabilityZones: ['us-east-1', 'us-east-1b'] })).toThrow(
      '[V/Network] PlatformNetwork.availabilityZones[0] is "us-east-1": is a region, not an Availability Zone: name a zone of it, such as "us-east-1a".');
    expect(make({ azCount: 2, availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] })).toThrow(
      '[V/Network] PlatformNetwork.azCount is 2: contradicts availabilityZones, which lists 3 zones: drop azCount (the list decides) or make them agree.');
    expect(make({ azCount: 3, availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] })).not.toThrow();
    expect(make({ availabilityZones: ['us-west-2-lax-1a', 'us-west-2a'] })).not.toThrow();
  });
});

describe('cdkPropValidator (lib/private/validate.ts): the one PropValidator, token-aware', () => {
  const v = cdkPropValidator(new Stack(new App(), 'S'), 'Thing');

  test('is the same PropValidator the workloads use', () => {
    expect(v).toBeInstanceOf(PropValidator);
  });

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
