import { Size } from 'cdk8s';
import { Cpu } from './cpu';

/**
 * Resource requests and limits of a container. Each field can be overridden, or omitted with `false`.
 * The defaults are honest for a small web process: they reserve what it needs to be scheduled sensibly and
 * bound memory (a leak is killed, not the node), and leave CPU unlimited (a CPU limit throttles latency-
 * sensitive services while idle cores exist).
 */
export interface ContainerResources {
  /**
   * CPU reserved for the container.
   * @default Cpu.millis(100)
   */
  readonly cpuRequest?: Cpu | false;
  /**
   * CPU the container may use at most.
   * @default - no CPU limit
   */
  readonly cpuLimit?: Cpu | false;
  /**
   * Memory reserved for the container.
   * @default Size.mebibytes(128)
   */
  readonly memoryRequest?: Size | false;
  /**
   * Memory the container may use at most (it is killed above it).
   * @default Size.mebibytes(256)
   */
  readonly memoryLimit?: Size | false;
  /**
   * Ephemeral storage (writable paths, logs) reserved.
   * @default - none
   */
  readonly ephemeralStorageRequest?: Size | false;
  /**
   * Ephemeral storage at most.
   * @default - no limit
   */
  readonly ephemeralStorageLimit?: Size | false;
}
