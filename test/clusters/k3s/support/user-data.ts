import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { K3sCluster } from '../../../../lib/clusters/k3s';
import { PlatformNetwork } from '../../../../lib/network';
import { userDataOf } from '../../self-managed/support/user-data';

/** The rendered user data (intrinsics flattened) of a one-server k3s cluster (`acme`) and an HA one (`acme-ha`). */
export interface K3sUserData {
  readonly server: string;
  readonly haServer: string;
  readonly agent: string;
}

/** Synthesizes both clusters in one stack and returns their user data. */
export function k3sUserData(): K3sUserData {
  const stack = new Stack(new App(), 'k3s');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  new K3sCluster(stack, 'Ha', { vpc, clusterName: 'acme-ha', highAvailability: true });
  const t = Template.fromStack(stack);
  return { server: userDataOf(t, 'ClusterServer'), haServer: userDataOf(t, 'HaServer'), agent: userDataOf(t, 'ClusterAgent') };
}
