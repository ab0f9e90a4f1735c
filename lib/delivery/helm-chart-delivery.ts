import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct, IDependable } from 'constructs';
import { HelmChartDirectory } from './helm-chart-directory';
import { markRelease, planHelmRelease } from './private/helm-release';

/** Props of a {@link HelmChartDelivery}. */
export interface HelmChartDeliveryProps {
  /** The EKS cluster (aws-eks-v2, created with `kubectlProviderOptions`) to install the charts on. */
  readonly cluster: eks.ICluster;
  /** The cdk8s charts to deliver (validated and rendered at synth time). */
  readonly charts: Chart[];
  /**
   * Name of the Helm release: a DNS-1123 label of at most 53 characters, unique per namespace and cluster.
   * Objects get the label `platform.cdk-k8s.io/delivery: <releaseName>`.
   * @default - the construct id, lowercased, with characters other than letters, digits and '-' replaced by '-'
   */
  readonly releaseName?: string;
  /**
   * Namespace of the Helm release record, and of objects that set no `metadata.namespace` (created if
   * missing). It may not be a Namespace that the charts themselves create.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * How long Helm waits for the release to become ready before it rolls back (`--atomic`). From 1 to 14
   * minutes: Helm runs inside the kubectl Lambda, which stops at 15.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * What must be deployed first: controllers, CRDs and add-ons the workloads need (e.g. the AWS Load
   * Balancer Controller, the EBS CSI driver add-on, another delivery with CRDs).
   * @default - no ordering beyond the cluster
   */
  readonly dependsOn?: IDependable[];
}

/**
 * Delivers cdk8s charts onto an EKS cluster as one Helm release, on `cdk deploy`.
 *
 * The charts are written as a Helm chart directory (Chart.yaml + templates, `{{` escaped), uploaded as an
 * S3 asset and installed by the cluster's kubectl Lambda (`HelmChart` with `chartAsset`): the template only
 * holds the asset's URL, so one delivery can hold thousands of services within every CloudFormation and
 * Lambda quota. Helm installs kinds in dependency order (Namespaces first), rolls back a failed upgrade
 * (`atomic`) and removes objects that left the code on the next upgrade.
 *
 * Every object gets the labels `app.kubernetes.io/managed-by: cdk-k8s-platform` and
 * `platform.cdk-k8s.io/delivery: <releaseName>` (labels already set are kept). The stack is checked by
 * {@link DeploymentBudget}.
 */
export class HelmChartDelivery extends Construct {
  /** The Helm release's name. */
  public readonly releaseName: string;
  /** The release namespace. */
  public readonly namespace: string;
  /** The chart asset in S3 (a zip of the chart directory). */
  public readonly asset: s3assets.Asset;
  /** The rendered Helm chart (files, version, object count, local directory). */
  public readonly chart: HelmChartDirectory;
  /** The HelmChart custom resource that installs the release. */
  public readonly helmChart: eks.HelmChart;
  /** Estimated bytes of Helm's release record (a Secret of at most 1 MiB; synthesis fails above 1,000,000). */
  public readonly releaseRecordBytes: number;

  constructor(scope: Construct, id: string, props: HelmChartDeliveryProps) {
    super(scope, id);
    const plan = planHelmRelease(this, 'HelmChartDelivery', props.cluster, props);
    this.releaseName = plan.release;
    this.namespace = plan.namespace;
    this.asset = plan.asset;
    this.chart = plan.chart;
    this.releaseRecordBytes = plan.releaseRecordBytes;
    this.helmChart = new eks.HelmChart(this, 'Release', {
      cluster: props.cluster,
      chartAsset: plan.asset,
      release: plan.release,
      namespace: plan.namespace,
      createNamespace: true,
      atomic: true,
      wait: true,
      timeout: plan.timeout,
    });
    if (props.dependsOn && props.dependsOn.length > 0) this.helmChart.node.addDependency(...props.dependsOn);
    markRelease(this.helmChart, { name: plan.release, delivery: id, charts: props.charts.map(c => c.node.id), shared: true, statefulSets: plan.statefulSets });
  }
}
