import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PlatformNetwork } from '../../network';
import { PropValidator } from '../../workloads/private/validate';
import { PlatformNetworkConfig } from '../platform-network-config';

/**
 * The platform's network (construct id `Network`): the existing VPC, or a new one from the settings, its flow
 * logs encrypted with `encryptionKey` when one is given.
 */
export function platformNetwork(scope: Construct, v: PropValidator, net: PlatformNetworkConfig = {}, encryptionKey?: kms.IKey): PlatformNetwork {
  if (net.existingVpc) {
    for (const key of ['cidr', 'azCount', 'availabilityZones', 'natGateways', 'flowLogs'] as const) {
      v.check(net[key] === undefined, `network.${key}`, net[key], 'cannot be set together with network.existingVpc; configure the existing VPC directly.');
    }
    return PlatformNetwork.fromVpc(scope, 'Network', net.existingVpc);
  }
  return new PlatformNetwork(scope, 'Network', {
    cidr: net.cidr, azCount: net.azCount, availabilityZones: net.availabilityZones, natGateways: net.natGateways, flowLogs: net.flowLogs, encryptionKey,
  });
}
