import { Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { CfnNodegroup } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { NodeArchitecture, NodeGroupOptions } from './capacity';
import { cdkPropValidator } from '../../private/validate';
import { checkInstanceType } from '../private/instance-type';

/** Props of an {@link EksNodeGroup}. */
export interface EksNodeGroupProps extends NodeGroupOptions {
  /** The cluster. */
  readonly cluster: eks.Cluster;
  /** CPU architecture (selects the AL2023 AMI type). */
  readonly architecture: NodeArchitecture;
  /** On-demand or spot. */
  readonly capacityType: eks.CapacityType;
  /**
   * The node IAM role (shared by the groups of a cluster).
   * @default - a role is created
   */
  readonly nodeRole?: iam.IRole;
  /**
   * Where the nodes run.
   * @default - the VPC's private subnets
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * The Kubernetes version of the nodes (`Version` of the node group): when it changes, EKS rolls the group
   * onto the new version in place, `maxUnavailable` nodes at a time, honouring pod disruption budgets.
   * @default - not set: EKS uses the cluster's version when the group is created and never changes it
   */
  readonly kubernetesVersion?: string;
}

/**
 * One EKS managed node group on AL2023 (AMI type set explicitly) with a launch template that requires
 * IMDSv2 with a hop limit of 1 (pods cannot use the node's credentials), an encrypted gp3 root volume and
 * EC2 detailed monitoring (1-minute metrics).
 */
export class EksNodeGroup extends Construct {
  /** The managed node group. */
  public readonly nodegroup: eks.Nodegroup;
  /** Its launch template. */
  public readonly launchTemplate: ec2.LaunchTemplate;

  constructor(scope: Construct, id: string, props: EksNodeGroupProps) {
    super(scope, id);
    const v = cdkPropValidator(this, 'EksNodeGroup');
    const spot = props.capacityType === eks.CapacityType.SPOT;
    const arch = props.architecture;
    const instanceTypes = props.instanceTypes
      ?? (spot ? arch.defaultSpotTypes : arch.defaultOnDemandTypes).map(t => new ec2.InstanceType(t));
    v.nonEmpty('instanceTypes', instanceTypes);
    instanceTypes.forEach((t, i) => checkInstanceType(this, v, `instanceTypes[${i}]`, t));
    instanceTypes.forEach((t, i) => v.check(t.architecture === arch.instanceArchitecture, `instanceTypes[${i}]`, t.toString(),
      `is a ${t.architecture} instance type but the node architecture is ${arch.name}; pick ${arch.name} types (e.g. ${arch.defaultOnDemandTypes[0]}) or change the architecture.`));
    const minSize = props.minSize ?? (spot ? 0 : 2);
    const maxSize = props.maxSize ?? 6;
    const desiredSize = props.desiredSize ?? minSize;
    v.scaling('', { minSize, desiredSize, maxSize });
    const diskSize = props.diskSize ?? Size.gibibytes(50);
    const diskGib = diskSize.toGibibytes();
    v.integer('diskSize', diskGib, 20, 16_384);
    if (props.maxUnavailable !== undefined && props.maxUnavailablePercentage !== undefined) {
      v.fail('maxUnavailablePercentage', props.maxUnavailablePercentage, `cannot be set together with maxUnavailable (${props.maxUnavailable}): keep one of them.`);
    }
    if (props.maxUnavailable !== undefined) v.integer('maxUnavailable', props.maxUnavailable, 1, Math.min(100, maxSize), 'nodes, at most maxSize');
    if (props.maxUnavailablePercentage !== undefined) v.percent('maxUnavailablePercentage', props.maxUnavailablePercentage);

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      // 1-minute EC2 metrics (CT.EC2.PR.10); a few CloudWatch metrics per node, no agent.
      detailedMonitoring: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(diskGib, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3, deleteOnTermination: true }),
      }],
    });

    this.nodegroup = new eks.Nodegroup(this, 'Nodegroup', {
      cluster: props.cluster,
      amiType: arch.amiType,
      capacityType: props.capacityType,
      instanceTypes,
      minSize,
      maxSize,
      desiredSize,
      labels: props.labels,
      taints: props.taints,
      nodeRole: props.nodeRole,
      subnets: props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplateSpec: { id: this.launchTemplate.launchTemplateId!, version: this.launchTemplate.latestVersionNumber },
      enableNodeAutoRepair: true,
      maxUnavailable: props.maxUnavailable,
      maxUnavailablePercentage: props.maxUnavailablePercentage,
    });
    if (props.kubernetesVersion !== undefined) (this.nodegroup.node.defaultChild as CfnNodegroup).version = props.kubernetesVersion;
  }
}
