import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct, IDependable } from 'constructs';
import { addOnNamespaceLabels, ResolvedAddOnHelmChart } from '../../private/add-on-helm-chart';

/** What an add-on chart needs of the EKS platform cluster. */
export interface AddOnChartHost {
  readonly cluster: eks.ICluster;
  readonly workloadDependencies: IDependable[];
}

/**
 * Installs an add-on's Helm chart with the cluster's kubectl/helm Lambda, in a namespace created first with
 * the chart's Pod Security labels. Installed after the cluster's own controllers; rolled back on failure.
 */
export function installAddOnChart(scope: Construct, host: AddOnChartHost, chart: ResolvedAddOnHelmChart): eks.HelmChart {
  const release = new eks.HelmChart(scope, 'Release', {
    cluster: host.cluster,
    repository: chart.repository,
    chart: chart.chart,
    version: chart.version,
    release: chart.release,
    namespace: chart.namespace,
    values: chart.values,
    createNamespace: false,
    wait: true,
    atomic: true,
    timeout: chart.timeout,
  });
  if (chart.createNamespace) {
    const namespace = new eks.KubernetesManifest(scope, 'Namespace', {
      cluster: host.cluster,
      overwrite: true,
      prune: false,
      manifest: [{
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: chart.namespace, labels: addOnNamespaceLabels(chart) },
      }],
    });
    release.node.addDependency(namespace);
  }
  release.node.addDependency(...host.workloadDependencies, ...(chart.dependsOn ?? []));
  return release;
}
