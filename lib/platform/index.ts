export * from './eks-platform-stack';
export * from './k3s-platform-stack';
export * from './platform-network-config';
