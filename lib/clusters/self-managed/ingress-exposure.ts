import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** Options of an {@link IngressExposure}. */
export interface IngressExposureOptions {
  /**
   * Who may reach the load balancer on 80 and 443.
   * @default - internal: the VPC CIDR; internet-facing: any IPv4 address
   */
  readonly allowFrom?: ec2.IPeer[];
}

/**
 * How HTTP(S) traffic reaches the cluster's ingress controller (Traefik on host ports 80/443 of every node):
 * through a Network Load Balancer whose security group is the only source the nodes admit on 80/443.
 */
export class IngressExposure {
  /** No load balancer: ports 80/443 stay closed on the nodes. */
  public static none(): IngressExposure {
    return new IngressExposure(false, false, undefined);
  }

  /** An internal NLB in the private subnets. */
  public static internal(options: IngressExposureOptions = {}): IngressExposure {
    return new IngressExposure(true, false, options.allowFrom);
  }

  /** An internet-facing NLB in the public subnets. */
  public static internetFacing(options: IngressExposureOptions = {}): IngressExposure {
    return new IngressExposure(true, true, options.allowFrom);
  }

  private constructor(
    /** A load balancer is created. */
    public readonly exposed: boolean,
    /** It is internet-facing. */
    public readonly internetFacing: boolean,
    /** Who may reach it (undefined: the default of the scheme). */
    public readonly allowFrom: ec2.IPeer[] | undefined,
  ) {}
}
