import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ValidationError } from '../errors';
import { BlueprintWorkloads } from './blueprint-workloads';

/**
 * The part of eks-blueprints' `ClusterInfo` the add-on reads. Declared here, structurally, so that the
 * library does not import eks-blueprints (an optional peer that pins aws-cdk-lib exactly): blueprints passes
 * its own `ClusterInfo`, which has these members. test/blueprints-app type-checks the add-on against
 * eks-blueprints' `ClusterAddOn`.
 */
export interface BlueprintClusterInfo {
  /** The blueprint's cluster (aws-eks v1). */
  readonly cluster: eks.ICluster;
  /** The add-ons scheduled so far, by id, each resolving to its construct. */
  getAllScheduledAddons(): Map<string, Promise<Construct>>;
}

/** Props of a {@link PlatformWorkloadsAddOn}. */
export interface PlatformWorkloadsAddOnProps {
  /** The cdk8s charts to deliver, built with `BlueprintWorkloads.traits()` (`ClusterTraits.eks()`). */
  readonly charts: Chart[];
  /**
   * The add-on's id in the blueprint (needed when a blueprint has several), and its construct id.
   * @default 'PlatformWorkloads'
   */
  readonly id?: string;
  /**
   * Name of the Helm release.
   * @default - the add-on id, lowercased ('platformworkloads')
   */
  readonly releaseName?: string;
  /**
   * Namespace of the Helm release record, and of objects that set no `metadata.namespace`.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * How long Helm waits for the release before it rolls back: 1 to 14 minutes.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * Add-ons to install first, by blueprint key (the class name, e.g. 'AwsLoadBalancerControllerAddOn', or
   * the add-on's `id`). Each must be in the blueprint before this add-on.
   * @default - every add-on listed before this one in `addOns(...)`
   */
  readonly dependsOn?: string[];
}

/**
 * An eks-blueprints add-on that delivers this library's workloads onto the blueprint's cluster, the same
 * way as on this library's own EKS cluster (a Helm chart S3 asset, see {@link BlueprintWorkloads}), after
 * the controllers the workloads need (by default every add-on listed before it). List it last:
 *
 * ```ts
 * EksBlueprint.builder()
 *   .version(KubernetesVersion.V1_33)
 *   .addOns(
 *     new AwsLoadBalancerControllerAddOn({ version: '3.4.0' }),
 *     new MetricsServerAddOn({ version: '3.13.1' }),
 *     new EbsCsiDriverAddOn({ version: 'v1.56.0-eksbuild.1' }),
 *     new PlatformWorkloadsAddOn({ charts: [shop] }),   // shop = new PlatformChart(app, 'shop', { traits: BlueprintWorkloads.traits() })
 *   )
 *   .build(app, 'blueprint');
 * ```
 *
 * Pin every add-on version (as above): an add-on left at "auto" asks AWS for versions at synth time.
 */
export class PlatformWorkloadsAddOn {
  public readonly id: string;
  private readonly props: PlatformWorkloadsAddOnProps;

  constructor(props: PlatformWorkloadsAddOnProps) {
    this.props = props;
    this.id = props.id ?? 'PlatformWorkloads';
  }

  public deploy(clusterInfo: BlueprintClusterInfo): Promise<Construct> {
    const scheduled = clusterInfo.getAllScheduledAddons();
    const names = this.props.dependsOn ?? [...scheduled.keys()].filter(k => k !== this.id);
    const dependencies = names.map(name => {
      const promise = scheduled.get(name);
      if (promise === undefined) {
        throw new ValidationError(`[${clusterInfo.cluster.stack.node.path}] PlatformWorkloadsAddOn.dependsOn is ${JSON.stringify(name)}: no such add-on is listed before "${this.id}" in the blueprint `
          + `(listed: ${JSON.stringify([...scheduled.keys()])}); add it to addOns(...) before this add-on, or remove it from dependsOn.`,
        { constructPath: clusterInfo.cluster.stack.node.path, prop: 'dependsOn', value: name });
      }
      return promise;
    });
    const workloads = new BlueprintWorkloads(clusterInfo.cluster.stack, this.id, {
      cluster: clusterInfo.cluster,
      charts: this.props.charts,
      releaseName: this.props.releaseName,
      namespace: this.props.namespace,
      timeout: this.props.timeout,
    });
    return Promise.all(dependencies).then(constructs => {
      workloads.helmChart.node.addDependency(...constructs);
      return workloads;
    });
  }
}
