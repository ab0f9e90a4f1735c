/** How a Service is exposed. */
export class ServiceType {
  /** Reachable inside the cluster only (the default; an Ingress exposes it over HTTP). */
  public static readonly CLUSTER_IP = new ServiceType('ClusterIP');
  /** A port on every node. */
  public static readonly NODE_PORT = new ServiceType('NodePort');
  /** A cloud load balancer (on EKS an NLB, through the AWS Load Balancer Controller). */
  public static readonly LOAD_BALANCER = new ServiceType('LoadBalancer');

  private constructor(
    /** The Kubernetes `spec.type`. */
    public readonly value: string,
  ) {}
}
