export * from './platform-cluster';
export * from './cluster-distribution';
export * from './add-on-helm-chart';
export * from './workload-identity';
export * from './eks';
export * from './self-managed';
export * from './k3s';
export * from './kubeadm';
