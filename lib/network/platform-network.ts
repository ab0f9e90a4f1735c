import { Annotations, Fn, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { FlowLogs } from './flow-logs';
import { NatGateways } from './nat-gateways';
import { addS3GatewayEndpoint } from './private/s3-gateway-endpoint';
import { acknowledge, CDK_DEFAULT_POLICY } from '../private/nag';
import { cdkPropValidator } from '../private/validate';

/** An AWS region name (`us-east-1`): given where an Availability Zone (`us-east-1a`) belongs. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Props of a {@link PlatformNetwork} that creates its VPC. */
export interface PlatformNetworkProps {
  /**
   * IPv4 CIDR of the VPC, from /16 to /20. Each AZ gets a public subnet (prefix + 6, e.g. /22) and a
   * private subnet (prefix + 3, e.g. /19: pods take VPC addresses on EKS).
   *
   * Changing it replaces the VPC and everything in it: choose once.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Number of Availability Zones, 2 or 3. With `availabilityZones`, it must match the list's length (or be left out).
   * @default 3
   */
  readonly azCount?: number;
  /**
   * The Availability Zone names, e.g. `['eu-west-1a', 'eu-west-1b', 'eu-west-1c']` (2 or 3).
   *
   * When not given, the VPC uses the first `azCount` zones of the region as CloudFormation resolves them at
   * deploy time (`Fn::Select` over `Fn::GetAZs`), so synthesis needs no account, no region and no lookup.
   * In a region that offers fewer than `azCount` zones to the account (us-west-1 offers 2), set
   * `azCount: 2` or list the zones. Switching between the two forms later replaces the subnets: choose once.
   * @default - the first `azCount` zones of the region, resolved at deploy time
   */
  readonly availabilityZones?: string[];
  /**
   * How many NAT gateways serve the private subnets.
   * @default NatGateways.single() (use NatGateways.onePerAz() in production)
   */
  readonly natGateways?: NatGateways;
  /**
   * Where VPC flow logs go.
   * @default FlowLogs.cloudWatch() (one year's retention, log group retained)
   */
  readonly flowLogs?: FlowLogs;
  /**
   * Customer-managed KMS key for the flow log group (or a flow log bucket this construct creates). When the
   * key is defined in the same app, its policy gets the statement CloudWatch Logs (or log delivery to S3)
   * needs; for a key from elsewhere, add it yourself (a warning gives the statement).
   * @default - AWS-managed keys; the customer-managed-key findings are acknowledged
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Add an S3 gateway endpoint (free; image layers from ECR and S3 traffic skip the NAT gateway). It is the
   * `AWS::EC2::VPCEndpoint` that `vpc.addGatewayEndpoint` writes, built as an L1 (`Vpc/S3Endpoint/Resource`):
   * property injectors of `GatewayVpcEndpoint` do not apply to it.
   * @default true
   */
  readonly s3GatewayEndpoint?: boolean;
}

/** Options of {@link PlatformNetwork.fromVpc}. */
export interface ExistingNetworkOptions {
  /**
   * The VPC's IPv4 CIDR, for NetworkPolicies that admit load-balancer traffic (ALB target type ip).
   * @default - `vpc.vpcCidrBlock` when it is known at synth time, otherwise none
   */
  readonly vpcCidr?: string;
}

const SUBNET_PUBLIC = 'Public';
const SUBNET_PRIVATE = 'Private';

/**
 * The network of a platform: a VPC over 2 or 3 AZs with public and private subnets tagged for Kubernetes
 * load balancers (`kubernetes.io/role/elb` on public, `kubernetes.io/role/internal-elb` on private), a
 * chosen number of NAT gateways, VPC flow logs and an S3 gateway endpoint. Or an existing VPC
 * ({@link PlatformNetwork.fromVpc}).
 *
 * Logical IDs are fixed by the construct tree (`<id>/Vpc/...`), so application-level changes never
 * replace the network.
 */
export class PlatformNetwork extends Construct {
  /**
   * Wraps an existing VPC. Its subnets must already carry the load-balancer tags
   * (`kubernetes.io/role/elb=1` on public, `kubernetes.io/role/internal-elb=1` on private subnets).
   */
  public static fromVpc(scope: Construct, id: string, vpc: ec2.IVpc, options: ExistingNetworkOptions = {}): PlatformNetwork {
    return new PlatformNetwork(scope, id, {}, { vpc, vpcCidr: options.vpcCidr });
  }

  /** The VPC. */
  public readonly vpc: ec2.IVpc;
  /** The VPC's IPv4 CIDR when known at synth time (used for traits and NetworkPolicies). */
  public readonly vpcCidr?: string;
  /** The VPC this construct created (undefined for {@link PlatformNetwork.fromVpc}). */
  public readonly createdVpc?: ec2.Vpc;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}, existing?: { vpc: ec2.IVpc; vpcCidr?: string }) {
    super(scope, id);
    const v = cdkPropValidator(this, 'PlatformNetwork');

    if (existing) {
      this.vpc = existing.vpc;
      const cidr = existing.vpcCidr ?? existing.vpc.vpcCidrBlock;
      this.vpcCidr = cidr !== undefined && !Token.isUnresolved(cidr) ? v.cidr('vpcCidr', cidr) : undefined;
      Annotations.of(this).addInfo(
        'Existing VPC: make sure public subnets carry kubernetes.io/role/elb=1 and private subnets kubernetes.io/role/internal-elb=1, or load balancers cannot find them.');
      return;
    }

    const cidr = v.cidr('cidr', props.cidr ?? '10.0.0.0/16', 16, 20);
    const prefix = Number(cidr.split('/')[1]);
    let availabilityZones: string[];
    if (props.availabilityZones !== undefined) {
      const azs = props.availabilityZones;
      v.check(Array.isArray(azs) && (azs.length === 2 || azs.length === 3), 'availabilityZones', azs,
        'must list 2 or 3 Availability Zones, e.g. ["eu-west-1a", "eu-west-1b", "eu-west-1c"].');
      v.check(new Set(azs).size === azs.length, 'availabilityZones', azs, 'must not list the same zone twice.');
      azs.forEach((az, i) => v.check(typeof az === 'string' && !REGION.test(az), `availabilityZones[${i}]`, az,
        `is a region, not an Availability Zone: name a zone of it, such as "${az}a".`));
      v.check(props.azCount === undefined || props.azCount === azs.length, 'azCount', props.azCount,
        `contradicts availabilityZones, which lists ${azs.length} zones: drop azCount (the list decides) or make them agree.`);
      availabilityZones = azs;
    } else {
      const azCount = v.integer('azCount', props.azCount ?? 3, 2, 3);
      availabilityZones = Array.from({ length: azCount }, (_, i) => Fn.select(i, Fn.getAzs()));
    }
    const nat = props.natGateways ?? NatGateways.single();

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      availabilityZones,
      natGateways: nat.countFor(availabilityZones.length),
      enableDnsHostnames: true,
      enableDnsSupport: true,
      // Removes the default security group's rules (nothing here uses it): a CDK custom resource at deploy time.
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        { name: SUBNET_PUBLIC, subnetType: ec2.SubnetType.PUBLIC, cidrMask: prefix + 6, mapPublicIpOnLaunch: false },
        { name: SUBNET_PRIVATE, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: prefix + 3 },
      ],
    });
    this.vpc = vpc;
    this.createdVpc = vpc;
    this.vpcCidr = cidr;

    tagSubnets(vpc.publicSubnets, 'kubernetes.io/role/elb');
    tagSubnets(vpc.privateSubnets, 'kubernetes.io/role/internal-elb');

    const flowLog = vpc.addFlowLog('FlowLog', {
      destination: (props.flowLogs ?? FlowLogs.cloudWatch())._bind(this, props.encryptionKey),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    acknowledgeNetwork(vpc, flowLog);

    if (props.s3GatewayEndpoint ?? true) {
      addS3GatewayEndpoint(vpc);
    }
  }

  /** The private subnets (nodes, control-plane ENIs, internal load balancers). */
  public get privateSubnets(): ec2.ISubnet[] {
    return this.vpc.privateSubnets;
  }

  /** The public subnets (NAT gateways, internet-facing load balancers). */
  public get publicSubnets(): ec2.ISubnet[] {
    return this.vpc.publicSubnets;
  }
}

/** Findings inherent to a VPC with public subnets, and to CDK's own helpers in it. */
function acknowledgeNetwork(vpc: ec2.Vpc, flowLog: ec2.FlowLog): void {
  for (const subnet of vpc.publicSubnets) {
    acknowledge(subnet, {
      id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
      reason: 'A public subnet is public through its default route to the internet gateway; it holds only the NAT gateways and internet-facing load balancers. The platform nodes run in the private subnets by default, and instances in a public subnet get no public IP on launch.',
    });
  }
  const role = flowLog.node.tryFindChild('IAMRole');
  if (role) acknowledge(role, CDK_DEFAULT_POLICY);
  // restrictDefaultSecurityGroup: one provider function per stack (aws-cdk-lib CustomResourceProvider)
  const provider = Stack.of(vpc).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  if (provider) acknowledgeRestrictDefaultSgProvider(provider);
}

/** The deploy-time function of aws-cdk-lib that empties the VPC's default security group. */
function acknowledgeRestrictDefaultSgProvider(provider: IConstruct): void {
  acknowledge(provider, {
    id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
    reason: 'aws-cdk-lib\'s deploy-time function that removes the rules of the VPC\'s default security group (restrictDefaultSecurityGroup) only calls the EC2 API during deployments; aws-cdk-lib defines it without VPC settings.',
  });
}

function tagSubnets(subnets: ec2.ISubnet[], key: string): void {
  for (const subnet of subnets) Tags.of(subnet).add(key, '1');
}
