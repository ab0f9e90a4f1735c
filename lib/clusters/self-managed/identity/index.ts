export * from './self-managed-workload-identity';
export * from './service-account-issuer';
export { POD_IDENTITY_WEBHOOK_IMAGE } from './pod-identity-webhook';
export * from './external-secrets';
