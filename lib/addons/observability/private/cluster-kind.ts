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

/** The cluster as a self-managed (k3s) cluster, or a clear error naming what to use instead. */
export function k3sClusterOf(v: PropValidator, cluster: IPlatformCluster, instead: string): SelfManagedClusterBase {
  v.check(cluster.distribution === 'k3s', 'install(cluster)', cluster.distribution,
    `must be a k3s cluster${cluster.distribution === 'kubeadm' ? ' (kubeadm runs no Helm controller yet, so it takes no add-ons for now)' : ''}. ${instead}`);
  return cluster as SelfManagedClusterBase;
}
