import { Duration } from 'cdk8s';

/**
 * The namespace the `Observability` add-on installs Prometheus into: workloads with `metrics` let its
 * Prometheus pods through their NetworkPolicy.
 */
export const DEFAULT_PROMETHEUS_NAMESPACE = 'monitoring';

/**
 * Prometheus metrics of a workload (WebService, StatefulService, Worker). Turning them on writes a
 * ServiceMonitor (a PodMonitor for a Worker, which has no Service), lets Prometheus's namespace through the
 * NetworkPolicy on that port, adds default alerts as a PrometheusRule and the workload's panels to its
 * namespace's Grafana dashboard (see docs/observability.md).
 */
export interface WorkloadMetrics {
  /** Name of the workload port that serves the metrics (one of its `ports`, e.g. 'http' or 'metrics'). */
  readonly port: string;
  /**
   * HTTP path of the metrics.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * How often Prometheus scrapes (at least 5 seconds, at most 10 minutes).
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * Namespace of the Prometheus that scrapes the workload (its pods are let through the NetworkPolicy).
   * @default 'monitoring' (where the Observability add-on installs it)
   */
  readonly prometheusNamespace?: string;
  /**
   * Write the default alerts (crash looping, unavailable replicas, autoscaler at its maximum for 15 minutes,
   * a volume over 85% full) as a PrometheusRule.
   * @default true
   */
  readonly alerts?: boolean;
}
