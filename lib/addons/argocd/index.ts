export * from './argo-cd';
