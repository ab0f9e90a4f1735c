import { ClusterDistribution } from '../../cluster-distribution';

/**
 * The admin kubectl of a self-managed server, for commands an SSM association or an operator runs there: k3s's
 * embedded one, or kubeadm's kubectl with the control plane's admin kubeconfig (as sync-workloads.sh's `kc`).
 * For add-ons that write an object only known at deploy time (the EFS file system id) on k3s and kubeadm alike.
 */
export function serverKubectl(distribution: ClusterDistribution): string {
  return distribution === ClusterDistribution.K3S ? 'k3s kubectl' : 'kubectl --kubeconfig /etc/kubernetes/admin.conf';
}
