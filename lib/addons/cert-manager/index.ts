export * from './cert-manager';
