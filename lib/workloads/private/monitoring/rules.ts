import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { MONITORING_API_VERSION, MonitorTarget } from './monitors';

/** The workload's controller and what the default alerts look at. */
export interface AlertTarget extends MonitorTarget {
  readonly namespace: string;
  readonly controller: 'Deployment' | 'StatefulSet';
  /** Names of its controllers: the workload's name, or the Deployments of a release (`web`, `web-canary`). */
  readonly controllerNames: readonly string[];
  /** Each controller has a HorizontalPodAutoscaler named like it. */
  readonly autoscaled: boolean;
  /** Names of the StatefulSet's volume claim templates. */
  readonly volumes: readonly string[];
}

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** The default alerts of a workload as a PrometheusRule (kube-state-metrics and kubelet metrics). */
export function buildAlertRules(scope: Construct, w: AlertTarget): ApiObject {
  return new ApiObject(scope, 'PrometheusRule', {
    apiVersion: MONITORING_API_VERSION,
    kind: 'PrometheusRule',
    metadata: { name: w.name, labels: w.labels },
    spec: { groups: [{ name: `${w.namespace}.${w.name}`, rules: alertRules(w) }] },
  });
}

/** The characters of Kubernetes' generated names (no vowels, no 0, 1 or 3): a ReplicaSet's hash, a pod's suffix. */
const GENERATED = '[bcdfghjklmnpqrstvwxz2456789]';

/**
 * A PromQL matcher (fully anchored) for the pods of the controllers `names`: a Deployment's
 * `<name>-<pod-template-hash>-<suffix>`, a StatefulSet's `<name>-<ordinal>`. Neither matches the pods of another
 * workload whose name starts like it (`web-admin-0`, `web-migrate-x7k2p`, a CronJob's `web-28471234-…`).
 */
export function podsOf(names: readonly string[], controller: 'Deployment' | 'StatefulSet'): string {
  const prefix = names.length === 1 ? names[0] : `(${names.join('|')})`;
  return `pod=~"${prefix}-${controller === 'Deployment' ? `${GENERATED}{1,10}-${GENERATED}{5}` : '[0-9]+'}"`;
}

/** A PromQL label matcher for one name (`deployment="web"`) or several (`deployment=~"web|web-canary"`). */
function matchNames(label: string, names: readonly string[]): string {
  return names.length === 1 ? `${label}="${names[0]}"` : `${label}=~"${names.join('|')}"`;
}

function alertRules(w: AlertTarget): Rule[] {
  const ns = `namespace="${w.namespace}"`;
  const names = w.controllerNames;
  const pods = `${ns}, ${podsOf(names, w.controller)}`;
  const rules: Rule[] = [
    rule(w, 'CrashLooping', `max_over_time(kube_pod_container_status_waiting_reason{${pods}, reason="CrashLoopBackOff"}[5m]) >= 1`, '15m',
      `A container of ${w.name} has been restarting in a loop for 15 minutes.`),
    w.controller === 'Deployment'
      ? rule(w, 'ReplicasUnavailable', `kube_deployment_status_replicas_unavailable{${ns}, ${matchNames('deployment', names)}} > 0`, '10m',
        `${w.name} has had unavailable replicas for 10 minutes.`)
      : rule(w, 'ReplicasUnavailable', `kube_statefulset_status_replicas{${ns}, statefulset="${w.name}"} - kube_statefulset_status_replicas_ready{${ns}, statefulset="${w.name}"} > 0`, '10m',
        `${w.name} has had pods that are not ready for 10 minutes.`),
  ];
  if (w.autoscaled) {
    const hpa = `${ns}, ${matchNames('horizontalpodautoscaler', names)}`;
    rules.push(rule(w, 'AutoscalerAtMaximum',
      `kube_horizontalpodautoscaler_status_current_replicas{${hpa}} >= kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}`, '15m',
      `${w.name} has run at its autoscaler's maximum replicas for 15 minutes: raise maxReplicas or find the load.`));
  }
  if (w.volumes.length) {
    const claims = `${ns}, persistentvolumeclaim=~"(${w.volumes.join('|')})-${w.name}-[0-9]+"`;
    rules.push(rule(w, 'VolumeAlmostFull',
      `kubelet_volume_stats_used_bytes{${claims}} / kubelet_volume_stats_capacity_bytes{${claims}} > 0.85`, '5m',
      `A volume of ${w.name} is over 85% full.`));
  }
  return rules;
}

function rule(w: AlertTarget, suffix: string, expr: string, duration: string, summary: string): Rule {
  return {
    alert: `${pascal(w.name)}${suffix}`,
    expr,
    for: duration,
    labels: { severity: suffix === 'CrashLooping' || suffix === 'VolumeAlmostFull' ? 'critical' : 'warning', namespace: w.namespace, workload: w.name },
    annotations: { summary, description: `${summary} (${w.controller} ${w.namespace}/${w.name})` },
  };
}

function pascal(name: string): string {
  return name.split('-').map(s => s.charAt(0).toUpperCase() + s.slice(1)).join('');
}
