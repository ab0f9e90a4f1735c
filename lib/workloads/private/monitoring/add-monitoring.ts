import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { addToDashboard } from './dashboard';
import { admitPrometheus, buildPodMonitor, buildServiceMonitor } from './monitors';
import { resolveMetrics } from './resolve';
import { buildAlertRules } from './rules';
import { WorkloadMetrics } from '../../metrics';
import { ResolvedPort } from '../ports';
import { PropValidator } from '../validate';

/** A further pod set of a workload (a release's candidate or idle colour), scraped by the workload's monitor. */
export interface MonitoredPods {
  /** The Service that selects these pods and no others. */
  readonly service: ApiObject;
  /** Their own NetworkPolicy (a candidate's), which must admit Prometheus too. */
  readonly networkPolicy?: ApiObject;
}

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
  /** A release's further pod sets, scraped and admitted like the workload's own pods. */
  readonly tracks?: readonly MonitoredPods[];
  /** The pod label that tells a release's pod sets apart (track or colour), copied onto their series. */
  readonly trackLabel?: string;
  readonly controller: 'Deployment' | 'StatefulSet';
  /**
   * Names of the workload's controllers, which the alerts watch (a release runs several Deployments).
   * @default - the workload's name
   */
  readonly controllerNames?: readonly string[];
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
 * the default alerts and the namespace dashboard, covering a release's further pod sets too. Nothing when
 * `metrics` is unset.
 */
export function addMonitoring(scope: Construct, input: MonitoringInput): MonitoringObjects | undefined {
  if (input.metrics === undefined) return undefined;
  const v = new PropValidator(scope, input.kind);
  const m = resolveMetrics(v, input.metrics, input.ports);
  const namespace = input.namespace ?? 'default';
  const tracks = input.tracks ?? [];
  const monitor = input.service
    ? buildServiceMonitor(scope, input, m, [input.service, ...tracks.map(t => t.service)], input.trackLabel)
    : buildPodMonitor(scope, input, m);
  [input.networkPolicy, ...tracks.map(t => t.networkPolicy)].forEach(policy => admitPrometheus(policy, m));
  const controllerNames = input.controllerNames ?? [input.name];
  const rules = m.alerts
    ? buildAlertRules(scope, { ...input, namespace, controllerNames, volumes: input.volumes ?? [] })
    : undefined;
  addToDashboard(Chart.of(scope), namespace, { name: input.name, controller: input.controller, controllerNames });
  return { monitor, rules };
}
