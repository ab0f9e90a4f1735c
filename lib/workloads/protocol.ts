/** Network protocol of a port: a string enum whose values are the Kubernetes protocol names. */
export enum Protocol {
  /** TCP (the default). */
  TCP = 'TCP',
  /** UDP. */
  UDP = 'UDP',
  /** SCTP. */
  SCTP = 'SCTP',
}
