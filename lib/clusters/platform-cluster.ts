import { Chart } from 'cdk8s';
import { IConstruct, IDependable } from 'constructs';
import { AddOnHelmChartProps } from './add-on-helm-chart';
import { ClusterDistribution } from './cluster-distribution';
import type { IWorkloadIdentityGrant } from './workload-identity';
import { ClusterTraits } from '../workloads';
import type { IWorkloadIdentity } from '../workloads/workload-identity';

/**
 * What every cluster kind of this library (EKS, k3s, kubeadm) offers: its traits for the workload layer,
 * and the delivery of cdk8s charts onto it on `cdk deploy`.
 */
export interface IPlatformCluster extends IConstruct {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The Kubernetes distribution (EKS, k3s or kubeadm): add-ons that cannot run on one refuse it by name. */
  readonly distribution: ClusterDistribution;
  /** What the cluster offers to workloads: ingress class, storage class, load balancer annotations. */
  readonly traits: ClusterTraits;
  /**
   * Delivers the charts' objects onto the cluster on the next `cdk deploy`. Build the charts with this
   * cluster's traits (`new PlatformChart(app, 'shop', { traits: cluster.traits })`). Objects removed from the
   * code are removed from the cluster on the next deploy. Each chart is delivered on its own (EKS: one Helm
   * release `<id>-<chart>`, k3s/kubeadm: one manifest file; a chart named `id` keeps the name `<id>`), shipped
   * as an S3 asset, never inlined in the template, so a delivery grows by adding charts.
   *
   * @param id a construct id, unique per cluster
   * @param charts the cdk8s charts to deliver
   */
  addWorkloads(id: string, charts: Chart[]): void;

  /**
   * Installs a pinned third-party Helm chart on the next `cdk deploy`, the same way on every cluster kind:
   * platform add-ons (observability, cert-manager, VPA, ...) are built on it. The namespace is created with
   * the chart's Pod Security level (restricted unless the add-on says otherwise).
   *
   * @param id a construct id, unique per cluster (a DNS-1123 label of at most 36 characters)
   * @param chart the chart, its version, namespace and values
   * @returns what must be deployed before anything that needs the chart
   */
  addHelmChart(id: string, chart: AddOnHelmChartProps): IDependable;

  /**
   * Gives the pods of a workload identity AWS credentials: an IAM role, as an `iam.IGrantable` (see
   * `IWorkloadIdentityCluster`). Absent on a cluster kind that cannot: call it through
   * `workloadIdentityGrant(cluster, identity)`, which then fails at synth time with the alternative.
   */
  bindWorkloadIdentity?(identity: IWorkloadIdentity): IWorkloadIdentityGrant;
}
