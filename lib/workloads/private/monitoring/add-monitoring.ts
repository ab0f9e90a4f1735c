import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { addToDashboard } from './dashboard';
import { admitPrometheus, buildPodMonitor, buildServiceMonitor } from './monitors';
import { resolveMetrics } from './resolve';
import { buildAlertRules } from './rules';
import { WorkloadMetrics } from '../../metrics';
import { ResolvedPort } from '../ports';
import { PropValidator } from '../validate';

/** What a workload hands to {@link addMonitoring}. */
export interface MonitoringInput {
  /** The workload's kind, for error messages. */
  readonly kind: string;
  readonly metrics?: WorkloadMetrics;
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  readonly selectorLabels: Record<string, string>;
  readonly ports: ReadonlyArray<ResolvedPort>;
  /** The Service to scrape through (a ServiceMonitor); none: a PodMonitor. */
  readonly service?: ApiObject;
  readonly networkPolicy?: ApiObject;
  readonly controller: 'Deployment' | 'StatefulSet';
  readonly autoscaled: boolean;
  /** Names of the volume claim templates (StatefulService). */
  readonly volumes?: readonly string[];
}

/** The objects {@link addMonitoring} wrote. */
export interface MonitoringObjects {
  readonly monitor: ApiObject;
  readonly rules?: ApiObject;
}

/**
 * The workload's `metrics` prop: a ServiceMonitor (or PodMonitor), the NetworkPolicy rule for Prometheus,
 * the default alerts and the namespace dashboard. Nothing when `metrics` is unset.
 */
export function addMonitoring(scope: Construct, input: MonitoringInput): MonitoringObjects | undefined {
  if (input.metrics === undefined) return undefined;
  const v = new PropValidator(scope, input.kind);
  const m = resolveMetrics(v, input.metrics, input.ports);
  const namespace = input.namespace ?? 'default';
  const monitor = input.service ? buildServiceMonitor(scope, input, m, input.service) : buildPodMonitor(scope, input, m);
  admitPrometheus(input.networkPolicy, m);
  const rules = m.alerts
    ? buildAlertRules(scope, { ...input, namespace, volumes: input.volumes ?? [] })
    : undefined;
  addToDashboard(Chart.of(scope), namespace, { name: input.name, controller: input.controller });
  return { monitor, rules };
}
