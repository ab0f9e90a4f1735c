/**
 * Who can reach the cluster's Kubernetes API endpoint. Every request still needs IAM authentication and
 * an access entry; this choice limits the network paths.
 *
 * The default is {@link ClusterEndpointAccess.privateOnly}: reach the API from inside the VPC or from a
 * network connected to it (VPN, peering, Transit Gateway, or SSM port forwarding through an instance in
 * the VPC; see docs/eks.md).
 */
export class ClusterEndpointAccess {
  /**
   * Private endpoint only (the default): the API is reachable only from inside the VPC (or networks
   * connected to it). The kubectl/helm Lambda runs in the private subnets.
   */
  public static privateOnly(): ClusterEndpointAccess {
    return new ClusterEndpointAccess('privateOnly', false, []);
  }

  /**
   * Public and private endpoint; the public one accepts requests from `publicCidrs` only (e.g. your office
   * or VPN egress addresses). Nodes reach the API inside the VPC, and the kubectl/helm Lambda runs in the
   * private subnets (Lambda's public addresses are not in your CIDRs).
   *
   * At least one CIDR is required, and none may be `/0`: for a public endpoint open to every address use
   * {@link ClusterEndpointAccess.publicFromAnywhere} instead.
   *
   * @param publicCidrs IPv4 CIDR blocks allowed to reach the public endpoint, e.g. `'203.0.113.0/24'`
   */
  public static publicAndPrivate(...publicCidrs: string[]): ClusterEndpointAccess {
    return new ClusterEndpointAccess('publicAndPrivate', true, publicCidrs);
  }

  /**
   * Public endpoint open to every address (plus the private endpoint for the nodes): an explicit opt-in, as
   * `allowApiFromAnywhere` on k3s. Requests still need IAM authentication and an access entry, but anyone on
   * the internet can reach the API server. The kubectl/helm Lambda stays out of the VPC (faster stack
   * deletion). Prefer {@link ClusterEndpointAccess.privateOnly} or
   * {@link ClusterEndpointAccess.publicAndPrivate} with your CIDRs.
   */
  public static publicFromAnywhere(): ClusterEndpointAccess {
    return new ClusterEndpointAccess('publicFromAnywhere', true, []);
  }

  private constructor(
    /** Which factory made it: `privateOnly`, `publicAndPrivate` or `publicFromAnywhere`. */
    public readonly kind: 'privateOnly' | 'publicAndPrivate' | 'publicFromAnywhere',
    /** Whether the public endpoint is enabled. */
    public readonly publicAccess: boolean,
    /** CIDR blocks allowed to the public endpoint (empty for `privateOnly` and `publicFromAnywhere`). */
    public readonly publicCidrs: string[],
  ) {}

  /** True if the public endpoint accepts any address (only {@link ClusterEndpointAccess.publicFromAnywhere}). */
  public get openToInternet(): boolean {
    return this.kind === 'publicFromAnywhere';
  }

  /** How it was made, for messages and acknowledgements, e.g. `ClusterEndpointAccess.publicAndPrivate('203.0.113.0/24')`. */
  public toString(): string {
    return `ClusterEndpointAccess.${this.kind}(${this.publicCidrs.map(c => JSON.stringify(c).replace(/"/g, '\'')).join(', ')})`;
  }
}
