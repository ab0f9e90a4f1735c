import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import type { IPlatformCluster } from './platform-cluster';
import { cdkPropValidator } from '../private/validate';
import { IWorkloadIdentity } from '../workloads/workload-identity';

/**
 * The AWS half of a workload identity on one cluster: the IAM role the pods of one ServiceAccount act as.
 * It is an `iam.IGrantable`, so AWS resources grant to it directly: `bucket.grantRead(grant)`,
 * `table.grantReadWriteData(grant)`, `queue.grantSendMessages(grant)`.
 */
export interface IWorkloadIdentityGrant extends iam.IGrantable, IConstruct {
  /** The IAM role the pods assume. */
  readonly role: iam.IRole;
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly serviceAccountName: string;
}

/**
 * A cluster that can give the pods of a ServiceAccount AWS credentials. EKS does it with an IAM role and an EKS
 * Pod Identity association; self-managed clusters (k3s, kubeadm) with a service-account issuer whose OIDC
 * discovery document the cluster publishes, an IAM OIDC provider and a role trusted for web identity.
 */
export interface IWorkloadIdentityCluster {
  /**
   * The IAM role of the identity on this cluster, created on the first call (later calls with the same
   * identity return the same grant). Binding an identity never replaces the cluster or its nodes: it adds a role
   * and its trust (and on EKS a Pod Identity association), and removing it removes only those.
   *
   * @param identity the ServiceAccount (a `WorkloadIdentity` of a chart delivered with `addWorkloads`)
   * @throws ValidationError when two different identities claim one namespace and name
   */
  bindWorkloadIdentity(identity: IWorkloadIdentity): IWorkloadIdentityGrant;
}

/**
 * The IAM principal of `identity` on `cluster`, as an `iam.IGrantable`, on every cluster kind that can honour
 * it; on one that cannot, a ValidationError at synth time naming the identity and the alternative.
 *
 * @example
 * bucket.grantRead(workloadIdentityGrant(cluster, orders));
 */
export function workloadIdentityGrant(cluster: IPlatformCluster, identity: IWorkloadIdentity): IWorkloadIdentityGrant {
  const bind = (cluster as Partial<IWorkloadIdentityCluster>).bindWorkloadIdentity;
  if (typeof bind === 'function') return bind.call(cluster, identity);
  return cdkPropValidator(cluster, cluster.constructor.name).fail('identity', `${identity?.namespace}/${identity?.serviceAccountName}`,
    `cannot get AWS credentials on this ${cluster.distribution} cluster: it does not bind workload identities yet. `
    + 'Run the workload on an EksPlatformCluster (EKS Pod Identity), or keep the identity for its ServiceAccount only '
    + 'and give the pods no AWS access (SecretRef.fromSecret for secrets).');
}
