/**
 * The one module that names the cdk8s-plus package. Everything in the workload layer imports the
 * Kubernetes L1 classes and the `Cpu` unit from here, so moving to a newer cdk8s-plus (and so a newer
 * Kubernetes API) is a change of the package name on the line below.
 */
export { k8s, Cpu } from 'cdk8s-plus-28';
