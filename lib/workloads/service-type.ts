/**
 * How a Service is exposed. A string enum (the Kubernetes `spec.type`): values compare by value, so a value
 * from another copy of this library, or the plain string, is the same value.
 */
export enum ServiceType {
  /** Reachable inside the cluster only (the default; an Ingress exposes it over HTTP). */
  CLUSTER_IP = 'ClusterIP',
  /** A port on every node. */
  NODE_PORT = 'NodePort',
  /** A cloud load balancer (on EKS an NLB, through the AWS Load Balancer Controller). */
  LOAD_BALANCER = 'LoadBalancer',
}
