export * from './k3s-version';
export * from './k3s-cluster';
