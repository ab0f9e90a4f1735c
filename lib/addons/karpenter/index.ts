export * from './karpenter-add-on';
export * from './karpenter-node-pool';
