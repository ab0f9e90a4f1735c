export * from './eks-platform-stack';
export * from './self-managed-distribution';
export * from './self-managed-platform-stack';
export * from './platform-network-config';
