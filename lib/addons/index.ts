export * from './platform-add-on';
export * from './observability';
