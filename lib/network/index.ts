export * from './platform-network';
export * from './nat-gateways';
export * from './flow-logs';
