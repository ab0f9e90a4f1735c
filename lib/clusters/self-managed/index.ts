export * from './node-image';
export * from './ingress-exposure';
export * from './self-managed-cluster';
export * from './identity';
