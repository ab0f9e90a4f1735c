export * from './workloads';
export * from './network';
export * from './clusters';
export * from './delivery';
export * from './guards';
export * from './platform';
export * from './compose';
export { ValidationError } from './errors';
export type { ValidationErrorDetails } from './errors';
