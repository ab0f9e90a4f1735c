import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterTraits } from '../workloads';

/**
 * What every cluster kind of this library (EKS, k3s, kubeadm) offers: its traits for the workload layer,
 * and the delivery of cdk8s charts onto it on `cdk deploy`.
 */
export interface IPlatformCluster extends IConstruct {
  /** The cluster's name. */
  readonly clusterName: string;
  /** What the cluster offers to workloads: ingress class, storage class, load balancer annotations. */
  readonly traits: ClusterTraits;
  /**
   * Delivers the charts' objects onto the cluster on the next `cdk deploy`. Build the charts with this
   * cluster's traits (`new PlatformChart(app, 'shop', { traits: cluster.traits })`). Objects removed from the
   * code are removed from the cluster on the next deploy. Charts are shipped as S3 assets, never inlined in
   * the template, so a delivery can hold thousands of services.
   *
   * @param id a construct id, unique per cluster
   * @param charts the cdk8s charts to deliver
   */
  addWorkloads(id: string, charts: Chart[]): void;
}
