import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedMetrics } from './resolve';
import { k8s } from '../plus';

/**
 * The label that marks the Services a ServiceMonitor scrapes: the workload's client Service and, during a release,
 * the Service of each further pod set (not the headless Service). Its value is the workload's name.
 */
export const METRICS_SERVICE_LABEL = 'platform.cdk-k8s.io/metrics';

/** API version of the Prometheus Operator's objects. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** What a monitor needs of its workload. */
export interface MonitorTarget {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selectorLabels: Record<string, string>;
}

const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * A ServiceMonitor selecting `services` (each gets the metrics label) on the metrics port. Each Service fronts its
 * own pods, so no pod is scraped twice. With a `trackLabel` (a release), the Services share the workload's name as
 * their job, and the pods' track label is copied onto their series.
 */
export function buildServiceMonitor(scope: Construct, w: MonitorTarget, m: ResolvedMetrics, services: readonly ApiObject[],
  trackLabel?: string): ApiObject {
  services.forEach(s => s.metadata.addLabel(METRICS_SERVICE_LABEL, w.name));
  return new ApiObject(scope, 'ServiceMonitor', {
    apiVersion: MONITORING_API_VERSION,
    kind: 'ServiceMonitor',
    metadata: { name: w.name, labels: w.labels },
    spec: {
      // not the instance label: a release's candidate is another instance of the app
      selector: { matchLabels: { [NAME_LABEL]: w.selectorLabels[NAME_LABEL], [METRICS_SERVICE_LABEL]: w.name } },
      ...(trackLabel ? { jobLabel: METRICS_SERVICE_LABEL, podTargetLabels: [trackLabel] } : {}),
      endpoints: [{ port: m.port.name, path: m.path, interval: `${m.intervalSeconds}s`, scheme: 'http' }],
    },
  });
}

/** A PodMonitor on the pods' metrics container port (a Worker has no Service). */
export function buildPodMonitor(scope: Construct, w: MonitorTarget, m: ResolvedMetrics): ApiObject {
  return new ApiObject(scope, 'PodMonitor', {
    apiVersion: MONITORING_API_VERSION,
    kind: 'PodMonitor',
    metadata: { name: w.name, labels: w.labels },
    spec: {
      selector: { matchLabels: w.selectorLabels },
      podMetricsEndpoints: [{ port: m.port.name, path: m.path, interval: `${m.intervalSeconds}s`, scheme: 'http' }],
    },
  });
}

/**
 * Adds a rule to the workload's NetworkPolicy: Prometheus's pods (in `prometheusNamespace`) may connect on
 * the metrics container port. A workload without a policy (`Callers.any()`) already admits them.
 */
export function admitPrometheus(policy: ApiObject | undefined, m: ResolvedMetrics): void {
  if (!policy) return;
  policy.addJsonPatch(JsonPatch.add('/spec/ingress/-', {
    from: [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': m.prometheusNamespace } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
    }],
    // the policy's L1 class writes its JSON through its props' serializers, which read IntOrString
    ports: [{ port: k8s.IntOrString.fromNumber(m.port.targetPort), protocol: m.port.protocol }],
  }));
}
