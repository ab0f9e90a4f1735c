export * from './platform-add-on';
