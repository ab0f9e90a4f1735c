export * from './vertical-pod-autoscaler-add-on';
