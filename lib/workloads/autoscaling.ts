import { Duration } from 'cdk8s';

/** Horizontal autoscaling of a workload (a HorizontalPodAutoscaler, autoscaling/v2). */
export interface AutoscalingOptions {
  /**
   * Fewest replicas.
   * @default 2 (or `maxReplicas` when that is smaller)
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   * @default 10 (or `minReplicas` when that is larger)
   */
  readonly maxReplicas?: number;
  /**
   * Target average CPU utilisation, in percent of the CPU request.
   * @default 70 (when no memory target is given either)
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory utilisation, in percent of the memory request.
   * @default - not a target
   */
  readonly memoryUtilization?: number;
  /**
   * How long the load must stay low before scaling down.
   * @default Duration.minutes(5)
   */
  readonly scaleDownStabilization?: Duration;
  /**
   * How long the load must stay high before scaling up.
   * @default Duration.seconds(0)
   */
  readonly scaleUpStabilization?: Duration;
  /**
   * Most pods removed per minute when scaling down, as a percentage of the current replicas.
   * @default 50
   */
  readonly scaleDownPercentPerMinute?: number;
}
