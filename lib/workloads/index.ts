export * from './traits';
export * from './platform-chart';
export * from './manifests';
export { ValidationError } from './private/validate';
export { Cpu } from './private/plus';
