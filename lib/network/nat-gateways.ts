/**
 * How many NAT gateways the private subnets send their internet traffic through. Each NAT gateway is billed
 * per hour and per GB: one is enough for development; production wants one per AZ so that losing one AZ
 * does not cut the others off.
 */
export class NatGateways {
  /** One NAT gateway in the first AZ, shared by all private subnets (the default; lowest cost). */
  public static single(): NatGateways {
    return new NatGateways('single', () => 1);
  }

  /** One NAT gateway per AZ (production: no cross-AZ dependency for egress). */
  public static onePerAz(): NatGateways {
    return new NatGateways('onePerAz', azs => azs);
  }

  private constructor(
    /** A short name for messages: single or onePerAz. */
    public readonly kind: string,
    private readonly count: (azCount: number) => number,
  ) {}

  /** The number of NAT gateways for a VPC spanning `azCount` AZs. */
  public countFor(azCount: number): number {
    return this.count(azCount);
  }
}
