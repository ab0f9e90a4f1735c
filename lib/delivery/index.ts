export * from './delivery-labels';
export * from './deployment-budget';
export * from './helm-chart-directory';
export * from './helm-chart-delivery';
export * from './helm-chart-releases';
export * from './manifest-file-asset';
export * from './chart-manifest-files';
export * from './gitops-helm-chart';
