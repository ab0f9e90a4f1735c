export * from './platform-add-on';
export * from './observability';
export * from './argocd';
export * from './karpenter';
