/**
 * The Kubernetes L1 classes (KubeDeployment, KubeService, ...) of the workload layer, under one name. They are
 * cdk8s-plus-28's generated `k8s` classes, cut down to the kinds lib/ uses (./imports/k8s.js, written by
 * projenrc/k8s-subset.ts): the whole module is 2.7 MB that every synth would read and compile. Moving to a
 * newer cdk8s-plus (and so a newer Kubernetes API) is a change of the package name in that script.
 */
export * as k8s from './imports/k8s';
