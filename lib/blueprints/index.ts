export * from './blueprint-workloads';
export * from './platform-workloads-add-on';
