export * from './versions';
export * from './capacity';
export * from './endpoint-access';
export * from './eks-node-group';
export * from './eks-addons';
export * from './eks-alb-controller';
export * from './eks-cluster-autoscaler';
export * from './eks-cluster';
