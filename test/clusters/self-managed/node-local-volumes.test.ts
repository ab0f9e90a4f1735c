import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { PlatformNetwork } from '../../../lib/network';
import { ClusterTraits } from '../../../lib/workloads';
import { shopChart } from '../../support/cluster-model/shop';

// A StatefulService on local-path keeps its data on one node's disk: the claims survive a roll, the data does not.
function warnings(traits: (cluster: K3sCluster) => ClusterTraits) {
  const stack = new Stack(new App(), 'local');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const cluster = new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  cluster.addWorkloads('shop', [shopChart(traits(cluster))]);
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('node-local'));
}

test('a StatefulService on local-path is warned about at synth: its data goes with its node', () => {
  const found = warnings(cluster => cluster.traits);
  expect(found).toHaveLength(1);
  expect(found[0].entry.data).toContain('addWorkloads(\'shop\'): the claims shop/data-postgres-* use the node-local StorageClass local-path: '
    + 'their data lives on one node\'s disk and is deleted when that node is replaced or rolled');
});

test('no warning when the claims use a StorageClass that outlives nodes', () => {
  expect(warnings(() => ClusterTraits.k3s({ storageClassName: 'ebs-gp3' }))).toEqual([]);
});
