export * from './workloads';
export * from './clusters';
