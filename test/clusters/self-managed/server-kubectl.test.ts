import * as fs from 'fs';
import * as path from 'path';
import { ClusterDistribution } from '../../../lib/clusters/cluster-distribution';
import { serverKubectl } from '../../../lib/clusters/self-managed/private/server-kubectl';

const SYNC = fs.readFileSync(path.join(__dirname, '../../../lib/clusters/self-managed/scripts/sync-workloads.sh'), 'utf8');

test('the same kubectl as the workload sync uses on each self-managed kind', () => {
  // sync-workloads.sh: kc() { if [ "$MODE" = k3s ]; then k3s kubectl "$@"; else kubectl --kubeconfig "${ROOT}/etc/kubernetes/admin.conf" "$@"; fi }
  expect(SYNC).toContain(`then ${serverKubectl(ClusterDistribution.K3S)} "$@"`);
  expect(SYNC).toContain(`else ${serverKubectl(ClusterDistribution.KUBEADM).replace('/etc/kubernetes', '"${ROOT}/etc/kubernetes').replace('admin.conf', 'admin.conf"')} "$@"`);
});
