import { Protocol } from './protocol';

/** A named port of a container (workers, external services): no Service port mapping. */
export interface NamedPort {
  /** Port name (IANA_SVC_NAME: at most 15 lowercase letters, digits and '-'), e.g. 'metrics'. */
  readonly name: string;
  /** Port number. */
  readonly port: number;
  /**
   * Protocol.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
}
