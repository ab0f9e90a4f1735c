export * from './replacement-guard';
