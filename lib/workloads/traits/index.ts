export * from './ingress-flavour';
export * from './volume-access-mode';
export * from './storage-class-trait';
export * from './cluster-traits';
