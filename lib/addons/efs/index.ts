export * from './efs-add-on';
