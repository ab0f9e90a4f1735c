export * from './delivery-labels';
export * from './deployment-budget';
export * from './helm-chart-directory';
export * from './helm-chart-delivery';
export * from './manifest-file-asset';
