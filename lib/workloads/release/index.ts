export * from './release-strategy';
export * from './release-objects';
