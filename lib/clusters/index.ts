export * from './platform-cluster';
