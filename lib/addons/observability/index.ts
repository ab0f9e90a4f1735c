export * from './charts';
export * from './observability';
export * from './cloudwatch-observability';
export * from './fluent-bit-logs';
