/**
 * Who can reach the cluster's Kubernetes API endpoint. Every request still needs IAM authentication and
 * an access entry; this choice limits the network paths.
 */
export class ClusterEndpointAccess {
  /**
   * Public and private endpoint (the default). Nodes reach the API inside the VPC. The public endpoint
   * accepts requests from `publicCidrs` only, or from any address when none are given.
   *
   * With the public endpoint open to any address, the kubectl/helm Lambda stays out of the VPC (fast stack
   * deletion). With restricted CIDRs it runs in the private subnets, because Lambda's public addresses are
   * not in your CIDRs.
   *
   * @param publicCidrs IPv4 CIDR blocks allowed to reach the public endpoint (e.g. your office or VPN)
   */
  public static publicAndPrivate(...publicCidrs: string[]): ClusterEndpointAccess {
    return new ClusterEndpointAccess(true, publicCidrs);
  }

  /**
   * Private endpoint only: the API is reachable only from inside the VPC (or networks connected to it).
   * The kubectl/helm Lambda then runs in the private subnets.
   */
  public static privateOnly(): ClusterEndpointAccess {
    return new ClusterEndpointAccess(false, []);
  }

  private constructor(
    /** Whether the public endpoint is enabled. */
    public readonly publicAccess: boolean,
    /** CIDR blocks allowed to the public endpoint (empty: any address). */
    public readonly publicCidrs: string[],
  ) {}

  /** True if the public endpoint accepts any address. */
  public get openToInternet(): boolean {
    return this.publicAccess && (this.publicCidrs.length === 0 || this.publicCidrs.includes('0.0.0.0/0'));
  }
}
