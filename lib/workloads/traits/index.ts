export * from './ingress-flavour';
export * from './cluster-traits';
