export * from './eks-platform-stack';
export * from './k3s-platform-stack';
