export * from './volume-backup-add-on';
export * from './volume-snapshot-import';
export * from './restored-volume';
