/** A third-party Helm chart pinned to one version (what `addHelmChart` installs). */
export interface PinnedAddOnChart {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  /** The version of the software the chart installs. */
  readonly appVersion: string;
}

/**
 * kube-prometheus-stack (prometheus-community/helm-charts, chart 88.5.3: Prometheus Operator v0.93.1 with
 * Prometheus, Alertmanager, Grafana and kube-state-metrics).
 */
export const KUBE_PROMETHEUS_STACK_CHART: PinnedAddOnChart = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '88.5.3',
  appVersion: 'v0.93.1',
};

/** prometheus-node-exporter 4.56.1 (node-exporter 1.12.1): the version kube-prometheus-stack 88.5.3 depends on. */
export const NODE_EXPORTER_CHART: PinnedAddOnChart = {
  repository: 'https://prometheus-community.github.io/helm-charts',
  chart: 'prometheus-node-exporter',
  version: '4.56.1',
  appVersion: '1.12.1',
};

/** fluent/helm-charts fluent-bit 0.58.1 (Fluent Bit 5.1.1). */
export const FLUENT_BIT_CHART: PinnedAddOnChart = {
  repository: 'https://fluent.github.io/helm-charts',
  chart: 'fluent-bit',
  version: '0.58.1',
  appVersion: '5.1.1',
};
