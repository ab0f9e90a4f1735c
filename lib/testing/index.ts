export * from './platform-snapshot';
export * from './normalize-manifests';
export type { JsonValue } from './private/normalize';
