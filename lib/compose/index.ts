export * from './compose-diagnostic';
export * from './compose-to-workloads';
