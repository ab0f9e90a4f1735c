export * from './kubeadm-version';
export * from './kubeadm-cluster';
