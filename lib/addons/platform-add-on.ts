import { IDependable } from 'constructs';
import { IPlatformCluster } from '../clusters/platform-cluster';

/**
 * A platform add-on (observability, cert-manager, external-dns, Argo CD, Karpenter, VPA, EFS, ...): one
 * contract, installed the same way on every cluster kind. An add-on builds on what every
 * {@link IPlatformCluster} offers (`addHelmChart`, `addWorkloads`, `traits`, `distribution`); one that cannot
 * run on a kind refuses it in `install` with a `ValidationError` that says why and what to use instead.
 *
 * Give add-ons to a platform stack (`addOns: [...]`) or install one on a cluster yourself
 * (`addOn.install(stack.cluster)`).
 */
export interface IPlatformAddOn {
  /** A short name (a DNS-1123 label): the add-on's construct id and Helm release name. */
  readonly name: string;
  /**
   * Installs the add-on on `cluster` (at synth time: it adds constructs; the cluster changes on `cdk deploy`).
   * @returns what workloads that need the add-on must be deployed after
   */
  install(cluster: IPlatformCluster): IDependable;
}
