/** Network protocol of a port. */
export class Protocol {
  public static readonly TCP = new Protocol('TCP');
  public static readonly UDP = new Protocol('UDP');
  public static readonly SCTP = new Protocol('SCTP');
  private constructor(
    /** The Kubernetes protocol name. */
    public readonly value: string,
  ) {}
}
