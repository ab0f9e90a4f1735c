import { ApiObject, App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { addOnNamespaceLabels, ResolvedAddOnHelmChart } from '../../private/add-on-helm-chart';

/**
 * Where the library puts HelmChart objects, and so where their install jobs run: kube-system, as k3s does for
 * its own charts. On kubeadm the controller watches this namespace only (`--namespace`, helm-controller.ts).
 */
export const HELM_CHART_NAMESPACE = 'kube-system';

/**
 * An add-on's chart as objects for the cluster's Helm controller (`helm.cattle.io/v1` HelmChart, the
 * controller k3s ships; kubeadm runs the same one): the namespace with its Pod Security labels, and the HelmChart that installs the
 * pinned chart into it (downloaded from its repository, or a packaged chart in `spec.chartContent`, which the
 * controller installs instead of any repository). A failed install is left for an operator (`failurePolicy: abort`) rather than
 * uninstalled and installed again, which would delete what the release made.
 */
export function addOnChart(id: string, chart: ResolvedAddOnHelmChart): Chart {
  const scope = new Chart(new App(), id);
  if (chart.createNamespace) {
    new ApiObject(scope, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: chart.namespace, labels: addOnNamespaceLabels(chart) },
    });
  }
  new ApiObject(scope, 'HelmChart', {
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChart',
    metadata: { name: chart.release, namespace: HELM_CHART_NAMESPACE, ...(chart.archive ? { annotations: archiveAnnotations(chart) } : {}) },
    spec: {
      ...chartSource(chart),
      targetNamespace: chart.namespace,
      ...(chart.values && Object.keys(chart.values).length > 0 ? { valuesContent: stringify(chart.values) } : {}),
      timeout: `${chart.timeout.toSeconds()}s`,
      failurePolicy: 'abort',
    },
  });
  return scope;
}

/** Where the controller gets the chart: the repository (or OCI registry) and version, or the packaged chart itself. */
function chartSource(chart: ResolvedAddOnHelmChart): Record<string, string> {
  // repo and version empty, not absent: a HelmChart that named a repository before keeps no stale co-owned value
  // (the job would contact the repository under `set -e`)
  if (chart.archive) return { chartContent: chart.archive.content.toString('base64'), repo: '', version: '' };
  const oci = chart.repository.startsWith('oci://');
  return {
    ...(oci ? { chart: `${chart.repository.replace(/\/+$/, '')}/${chart.chart}` } : { repo: chart.repository, chart: chart.chart }),
    version: chart.version,
  };
}

/** A packaged chart's identity, which the spec no longer carries: its name and version, and where it came from. */
function archiveAnnotations(chart: ResolvedAddOnHelmChart): Record<string, string> {
  return {
    'platform.cdk-k8s.io/chart': `${chart.chart}-${chart.version}`,
    'platform.cdk-k8s.io/chart-source': chart.repository,
  };
}
