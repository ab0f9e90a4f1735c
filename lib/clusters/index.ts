export * from './platform-cluster';
export * from './eks';
