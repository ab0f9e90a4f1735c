export * from './ebs-csi-add-on';
