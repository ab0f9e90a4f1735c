import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct, IDependable } from 'constructs';
import { HelmChartDirectory } from '../delivery/helm-chart-directory';
import { planHelmRelease } from '../delivery/private/helm-release';
import { ClusterTraits, EksTraitsOptions, PlatformChart } from '../workloads';
import { PropValidator } from '../workloads/private/validate';

/** Props of a {@link BlueprintWorkloads}. */
export interface BlueprintWorkloadsProps {
  /**
   * The blueprint's cluster (`clusterInfo.cluster`, or `blueprint.getClusterInfo().cluster`): an
   * `aws-cdk-lib/aws-eks` (v1) cluster, as eks-blueprints builds it.
   */
  readonly cluster: eks.ICluster;
  /** The cdk8s charts to deliver, built with {@link BlueprintWorkloads.traits} (`ClusterTraits.eks()`). */
  readonly charts: Chart[];
  /**
   * Name of the Helm release: a DNS-1123 label of at most 53 characters, unique per namespace and cluster.
   * @default - the construct id, lowercased, with characters other than letters, digits and '-' replaced by '-'
   */
  readonly releaseName?: string;
  /**
   * Namespace of the Helm release record, and of objects that set no `metadata.namespace`.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * How long Helm waits for the release before it rolls back (`--atomic`): 1 to 14 minutes.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * What must be deployed first (the add-ons' constructs: controllers, CRDs, StorageClasses).
   * @default - no ordering beyond the cluster
   */
  readonly dependsOn?: IDependable[];
}

/**
 * Delivers cdk8s charts onto an eks-blueprints cluster exactly as `HelmChartDelivery` does on this
 * library's EKS cluster: a Helm chart directory shipped as an S3 asset and installed by the blueprint
 * cluster's kubectl Lambda (`aws-eks` v1 `HelmChart` with `chartAsset`, atomic, a timeout below the
 * Lambda's 15 minutes); nothing is inlined in the template, objects removed from the code are removed on the
 * next deploy, and the stack is checked by `DeploymentBudget`.
 *
 * Inside a blueprint, prefer {@link PlatformWorkloadsAddOn}, which orders the release after the other
 * add-ons. Use this construct directly for a cluster the blueprint already built.
 */
export class BlueprintWorkloads extends Construct {
  /** The traits of a blueprint cluster with the AWS Load Balancer Controller and EBS CSI (gp3) add-ons. */
  public static traits(options: EksTraitsOptions = {}): ClusterTraits {
    return ClusterTraits.eks(options);
  }

  /** The Helm release's name. */
  public readonly releaseName: string;
  /** The chart asset in S3. */
  public readonly asset: s3assets.Asset;
  /** The rendered Helm chart. */
  public readonly chart: HelmChartDirectory;
  /** The HelmChart custom resource that installs the release. */
  public readonly helmChart: eks.HelmChart;

  constructor(scope: Construct, id: string, props: BlueprintWorkloadsProps) {
    super(scope, id);
    const v = new PropValidator(this, 'BlueprintWorkloads');
    for (const chart of props.charts ?? []) {
      if (PlatformChart.isPlatformChart(chart) && chart.traits.ingressFlavour !== 'alb') {
        v.fail('charts', chart.node.id, `is built with ${chart.traits.ingressFlavour} traits, but an eks-blueprints cluster routes with the AWS Load Balancer Controller: build it with BlueprintWorkloads.traits() (ClusterTraits.eks()).`);
      }
    }
    const plan = planHelmRelease(this, 'BlueprintWorkloads', props.cluster, props);
    this.releaseName = plan.release;
    this.asset = plan.asset;
    this.chart = plan.chart;
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
  }
}
