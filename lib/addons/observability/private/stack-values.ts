import { restrictedPod, RESTRICTED_CONTAINER } from './security';

/** What the kube-prometheus-stack values are made from. */
export interface StackValuesInput {
  readonly storageClassName: string;
  readonly storageGiB: number;
  readonly retentionDays: number;
  /** The Secret with Grafana's admin (External Secrets), or undefined: the chart generates one in the cluster. */
  readonly grafanaAdminSecret?: string;
  /** Scrape the control plane's schedulers, controller managers and etcd (only where they are reachable). */
  readonly controlPlane: boolean;
}

/**
 * kube-prometheus-stack's values: Prometheus with retention and a persistent volume, Alertmanager, Grafana
 * (admin from an existing Secret, dashboards from ConfigMaps in every namespace), kube-state-metrics; every
 * pod under Pod Security restricted. node-exporter is its own release (it reads the host).
 */
export function stackValues(input: StackValuesInput): Record<string, unknown> {
  return {
    'fullnameOverride': 'kps',
    'crds': { enabled: true },
    'defaultRules': { create: true, rules: { etcd: input.controlPlane, kubeSchedulerAlerting: input.controlPlane, kubeControllerManager: input.controlPlane } },
    'kubeEtcd': { enabled: input.controlPlane },
    'kubeScheduler': { enabled: input.controlPlane },
    'kubeControllerManager': { enabled: input.controlPlane },
    'kubeProxy': { enabled: input.controlPlane },
    'prometheusOperator': operatorValues(),
    'prometheus': { prometheusSpec: prometheusSpec(input) },
    'alertmanager': { alertmanagerSpec: { securityContext: restrictedPod(1000, 2000), resources: resources('10m', '64Mi') } },
    'grafana': grafanaValues(input.grafanaAdminSecret),
    'kube-state-metrics': {
      securityContext: { enabled: true, ...restrictedPod(65534) },
      containerSecurityContext: RESTRICTED_CONTAINER,
    },
    // the separate node-exporter release (its own privileged namespace) feeds these dashboards and rules
    'nodeExporter': { enabled: false, forceDeployDashboards: true },
  };
}

function resources(cpu: string, memory: string): Record<string, unknown> {
  return { requests: { cpu, memory }, limits: { memory } };
}

function operatorValues(): Record<string, unknown> {
  return {
    securityContext: restrictedPod(65534),
    containerSecurityContext: RESTRICTED_CONTAINER,
    admissionWebhooks: {
      patch: { securityContext: restrictedPod(2000) },
      deployment: { securityContext: restrictedPod(65534), containerSecurityContext: RESTRICTED_CONTAINER },
    },
    resources: resources('50m', '128Mi'),
  };
}

function prometheusSpec(input: StackValuesInput): Record<string, unknown> {
  return {
    retention: `${input.retentionDays}d`,
    // leave room below the volume's size for the write-ahead log and compaction
    retentionSize: `${Math.floor(input.storageGiB * 0.85)}GB`,
    storageSpec: {
      volumeClaimTemplate: {
        spec: {
          storageClassName: input.storageClassName,
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: `${input.storageGiB}Gi` } },
        },
      },
    },
    // every ServiceMonitor, PodMonitor and PrometheusRule of the cluster, not only the chart's own
    serviceMonitorSelectorNilUsesHelmValues: false,
    podMonitorSelectorNilUsesHelmValues: false,
    ruleSelectorNilUsesHelmValues: false,
    probeSelectorNilUsesHelmValues: false,
    securityContext: restrictedPod(1000, 2000),
    resources: resources('200m', '1Gi'),
  };
}

function grafanaValues(adminSecret: string | undefined): Record<string, unknown> {
  return {
    'fullnameOverride': 'grafana',
    // the admin password is never a value: Grafana reads it from a Secret that is filled in the cluster
    ...(adminSecret
      ? { admin: { existingSecret: adminSecret, userKey: 'admin-user', passwordKey: 'admin-password' } }
      : {}),
    // null removes the stack's default ("prom-operator"): the Grafana chart then generates a random password
    // into its Secret `grafana` in the cluster, and keeps it across upgrades
    'adminPassword': null,
    'testFramework': { enabled: false },
    'persistence': { enabled: false },
    'securityContext': restrictedPod(472),
    'containerSecurityContext': RESTRICTED_CONTAINER,
    'sidecar': {
      securityContext: RESTRICTED_CONTAINER,
      dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' },
      datasources: { enabled: true },
    },
    'grafana.ini': { analytics: { check_for_updates: false, reporting_enabled: false }, users: { allow_sign_up: false } },
    'resources': resources('50m', '256Mi'),
  };
}
