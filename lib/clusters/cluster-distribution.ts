/** The Kubernetes distribution a platform cluster runs. */
export enum ClusterDistribution {
  /** Amazon EKS (managed control plane). */
  EKS = 'eks',
  /** k3s on three EC2 nodes. */
  K3S = 'k3s',
  /** Upstream Kubernetes set up with kubeadm on three EC2 nodes. */
  KUBEADM = 'kubeadm',
}
