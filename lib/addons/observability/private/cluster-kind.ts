import type { EksPlatformCluster } from '../../../clusters/eks/eks-platform-cluster';
import { IPlatformCluster } from '../../../clusters/platform-cluster';
import type { SelfManagedClusterBase } from '../../../clusters/self-managed/self-managed-cluster';
import { PropValidator } from '../../../workloads/private/validate';

/** The cluster as an EKS platform cluster, or a clear error naming what to use instead. */
export function eksClusterOf(v: PropValidator, cluster: IPlatformCluster, instead: string): EksPlatformCluster {
  v.check(cluster.distribution === 'eks', 'install(cluster)', cluster.distribution,
    `must be an EKS platform cluster: this add-on is an EKS add-on. ${instead}`);
  return cluster as EksPlatformCluster;
}

/** The cluster as a self-managed (k3s or kubeadm) cluster, or a clear error naming what to use instead. */
export function selfManagedClusterOf(v: PropValidator, cluster: IPlatformCluster, instead: string): SelfManagedClusterBase {
  v.check(cluster.distribution === 'k3s' || cluster.distribution === 'kubeadm', 'install(cluster)', cluster.distribution,
    `must be a self-managed (k3s or kubeadm) cluster. ${instead}`);
  return cluster as SelfManagedClusterBase;
}
