import { Annotations } from 'aws-cdk-lib';
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterTraits, PlatformChart } from '../../workloads';
import { PropValidator } from '../../workloads/private/validate';

/** Warning id of the warning for a chart built with traits that differ from its cluster's. */
export const CHART_TRAITS_WARNING = 'cdk-k8s-platform:chartTraits';

/** What a chart's traits decide that the cluster may not have, by the name of its ClusterTraits property. */
const CLUSTER_FEATURES: ReadonlyArray<keyof ClusterTraits> = [
  'storageClassName', 'volumeSnapshots', 'verticalPodAutoscaler', 'networkPolicySupport', 'daemonSetSupport',
];

/**
 * Checks that each PlatformChart delivered to a cluster was built for its kind of cluster. A chart whose ingress
 * flavour differs (Traefik routes on EKS, ALB annotations on k3s) is refused: its objects would fail or do
 * nothing at deploy time. Other differences (a preset such as `ClusterTraits.k3s()` instead of `cluster.traits`)
 * get a warning naming them.
 */
export function checkChartTraits(scope: IConstruct, v: PropValidator, cluster: ClusterTraits, charts: Chart[]): void {
  for (const chart of charts) {
    if (!PlatformChart.isPlatformChart(chart) || chart.traits === cluster) continue;
    const t = chart.traits;
    const fix = 'build the chart with this cluster\'s traits: new PlatformChart(app, id, { traits: cluster.traits }).';
    v.check(t.ingressFlavour === cluster.ingressFlavour, `addWorkloads(charts) "${chart.node.id}" traits.ingressFlavour`, t.ingressFlavour,
      `differs from this cluster's ingress flavour "${cluster.ingressFlavour}": its routing objects would fail or do nothing here; ${fix}`);
    v.check(t.ingressClassName === cluster.ingressClassName, `addWorkloads(charts) "${chart.node.id}" traits.ingressClassName`, t.ingressClassName,
      `differs from this cluster's ingress class "${cluster.ingressClassName}": its Ingresses would not be served; ${fix}`);
    const differences = CLUSTER_FEATURES
      .filter(k => JSON.stringify(t[k]) !== JSON.stringify(cluster[k]))
      .map(k => `${k} ${JSON.stringify(t[k])} (the cluster: ${JSON.stringify(cluster[k])})`);
    if (differences.length > 0) {
      Annotations.of(scope).addWarningV2(CHART_TRAITS_WARNING,
        `Chart "${chart.node.id}" was built with traits that differ from this cluster's: ${differences.join('; ')}. Its objects follow the chart's traits; ${fix}`);
    }
  }
}
