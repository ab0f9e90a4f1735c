import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { FlowLogs, NatGateways, PlatformNetwork } from '../../network';
import { CdkPropValidator } from '../../private/validate';

/** The network settings both platform stacks take. */
export interface NetworkConfig {
  readonly existingVpc?: ec2.IVpc;
  readonly cidr?: string;
  readonly azCount?: number;
  readonly availabilityZones?: string[];
  readonly natGateways?: NatGateways;
  readonly flowLogs?: FlowLogs;
}

/** The platform's network (construct id `Network`): the existing VPC, or a new one from the settings. */
export function platformNetwork(scope: Construct, v: CdkPropValidator, net: NetworkConfig = {}): PlatformNetwork {
  if (net.existingVpc) {
    for (const key of ['cidr', 'azCount', 'availabilityZones', 'natGateways', 'flowLogs'] as const) {
      v.check(net[key] === undefined, `network.${key}`, net[key], 'cannot be set together with network.existingVpc; configure the existing VPC directly.');
    }
    return PlatformNetwork.fromVpc(scope, 'Network', net.existingVpc);
  }
  return new PlatformNetwork(scope, 'Network', {
    cidr: net.cidr, azCount: net.azCount, availabilityZones: net.availabilityZones, natGateways: net.natGateways, flowLogs: net.flowLogs,
  });
}
