import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { FlowLogs, NatGateways } from '../network';

/** Network settings of a platform stack (`EksPlatformStack`, `SelfManagedPlatformStack`). */
export interface PlatformNetworkConfig {
  /**
   * Use this VPC instead of creating one (on EKS, its subnets must carry the load-balancer tags).
   * @default - a VPC is created
   */
  readonly existingVpc?: ec2.IVpc;
  /**
   * CIDR of the created VPC.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Number of AZs of the created VPC (2 or 3).
   * @default 3
   */
  readonly azCount?: number;
  /**
   * AZ names of the created VPC.
   * @default - the first `azCount` zones of the region, resolved at deploy time
   */
  readonly availabilityZones?: string[];
  /**
   * NAT gateways.
   * @default NatGateways.single()
   */
  readonly natGateways?: NatGateways;
  /**
   * Flow log destination.
   * @default FlowLogs.cloudWatch()
   */
  readonly flowLogs?: FlowLogs;
}

/** Network settings of an `EksPlatformStack`. */
export type EksPlatformNetworkConfig = PlatformNetworkConfig;
/** Network settings of a `SelfManagedPlatformStack`. */
export type SelfManagedPlatformNetworkConfig = PlatformNetworkConfig;
