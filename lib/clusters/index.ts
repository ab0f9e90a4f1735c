export * from './platform-cluster';
export * from './eks';
export * from './self-managed';
export * from './k3s';
export * from './kubeadm';
