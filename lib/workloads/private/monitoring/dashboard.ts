import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { podsOf } from './rules';

/** The label Grafana's dashboard sidecar (kube-prometheus-stack) loads ConfigMaps by. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

const DASHBOARD_ID = 'PlatformGrafanaDashboard';

/** One workload's row in its namespace's dashboard. */
export interface DashboardEntry {
  readonly name: string;
  readonly controller: 'Deployment' | 'StatefulSet';
  /** Its controllers: the workload's, or every Deployment of a release (`web`, `web-canary`). */
  readonly controllerNames: readonly string[];
}

/**
 * The Grafana dashboard of a chart's namespace: one ConfigMap per chart (`grafana-dashboard-<namespace>`),
 * labelled for Grafana's sidecar, with a row per workload that has metrics (request rate, CPU, memory,
 * restarts).
 */
class NamespaceDashboard extends Construct {
  private readonly entries: DashboardEntry[] = [];

  constructor(chart: Chart, namespace: string) {
    super(chart, DASHBOARD_ID);
    new ApiObject(this, 'ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `grafana-dashboard-${namespace}`,
        labels: { [GRAFANA_DASHBOARD_LABEL]: '1', 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' },
      },
      data: { [`${namespace}.json`]: Lazy.any({ produce: () => JSON.stringify(dashboard(namespace, this.entries)) }) },
    });
  }

  add(entry: DashboardEntry): void {
    this.entries.push(entry);
  }
}

/** Adds the workload to its chart's namespace dashboard (created with the first workload). */
export function addToDashboard(chart: Chart, namespace: string, entry: DashboardEntry): void {
  const existing = chart.node.tryFindChild(DASHBOARD_ID) as NamespaceDashboard | undefined;
  (existing ?? new NamespaceDashboard(chart, namespace)).add(entry);
}

function dashboard(namespace: string, entries: readonly DashboardEntry[]): Record<string, unknown> {
  const panels = entries.flatMap((e, row) => panelsOf(namespace, e, row));
  return {
    title: `Workloads: ${namespace}`,
    uid: `cdk-k8s-${namespace}`.slice(0, 40),
    tags: ['cdk-k8s-platform', namespace],
    timezone: 'browser',
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    panels,
  };
}

function panelsOf(namespace: string, e: DashboardEntry, row: number): Array<Record<string, unknown>> {
  const pods = `namespace="${namespace}", ${podsOf(e.controllerNames, e.controller)}`;
  const queries: Array<[string, string]> = [
    ['CPU (cores)', `sum(rate(container_cpu_usage_seconds_total{${pods}, container!=""}[5m]))`],
    ['Memory (bytes)', `sum(container_memory_working_set_bytes{${pods}, container!=""})`],
    ['Restarts (1h)', `sum(increase(kube_pod_container_status_restarts_total{${pods}}[1h]))`],
    ['Scrape up', `sum(up{${pods}})`],
  ];
  const y = row * 9;
  return [
    { type: 'row', title: `${e.controller} ${e.name}`, gridPos: { h: 1, w: 24, x: 0, y }, id: row * 10 + 1, collapsed: false, panels: [] },
    ...queries.map(([title, expr], i) => ({
      type: 'timeseries',
      title: `${e.name}: ${title}`,
      id: row * 10 + 2 + i,
      gridPos: { h: 8, w: 6, x: i * 6, y: y + 1 },
      datasource: { type: 'prometheus', uid: 'prometheus' },
      targets: [{ expr, refId: 'A' }],
    })),
  ];
}
