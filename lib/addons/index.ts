export * from './platform-add-on';
export * from './observability';
export * from './argocd';
export * from './cert-manager';
export * from './external-dns';
export * from './karpenter';
