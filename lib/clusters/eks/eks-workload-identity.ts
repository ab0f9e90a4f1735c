import type { CfnPodIdentityAssociation } from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { eksL1Classes } from './private/eks-l1';
import { podIdentityPrincipal } from './private/pod-identity';
import { cdkPropValidator } from '../../private/validate';
import { IWorkloadIdentity } from '../../workloads/workload-identity';
import { IWorkloadIdentityGrant } from '../workload-identity';

/**
 * The EKS cluster a workload identity is bound on: any `aws-eks-v2` or `aws-eks` cluster, imported ones
 * included (`eks.Cluster.fromClusterAttributes`), and the cluster of an EKS Blueprints stack.
 */
export interface EksClusterRef {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The cluster's ARN (the role trusts Pod Identity for this cluster only). */
  readonly clusterArn: string;
}

/** Props of an {@link EksWorkloadIdentity}. */
export interface EksWorkloadIdentityProps {
  /** The cluster (its Pod Identity agent must run: `EksPlatformCluster` installs it, Auto Mode has it built in). */
  readonly cluster: EksClusterRef;
  /** The ServiceAccount (a `WorkloadIdentity`, or the namespace and name of an existing ServiceAccount). */
  readonly identity: IWorkloadIdentity;
  /**
   * Description of the role.
   * @default 'Workload identity <namespace>/<name> on EKS cluster <cluster>'
   */
  readonly description?: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A workload identity on EKS: an IAM role with no permissions of its own, trusted by EKS Pod Identity
 * (`pods.eks.amazonaws.com`, `sts:AssumeRole` and `sts:TagSession`) for this account and this cluster only
 * (`aws:SourceAccount`, `aws:SourceArn`), and the `AWS::EKS::PodIdentityAssociation` of one ServiceAccount.
 * Grant AWS access to it (`bucket.grantRead(identity)`). It changes neither the cluster nor its nodes: adding
 * or removing one adds or removes a role and an association; pods started before the association exists get
 * credentials on their next restart.
 *
 * Works on any EKS cluster, including one imported into another CDK app:
 * `new EksWorkloadIdentity(stack, 'Orders', { cluster, identity: { namespace: 'shop', serviceAccountName: 'orders' } })`.
 */
export class EksWorkloadIdentity extends Construct implements IWorkloadIdentityGrant {
  /** The role the pods assume. */
  public readonly role: iam.Role;
  /**
   * The Pod Identity association (aws-eks-v2's class where aws-cdk-lib exports it there: test it with
   * `CfnPodIdentityAssociation.isCfnPodIdentityAssociation`, not `instanceof`).
   */
  public readonly association: CfnPodIdentityAssociation;
  /** The role, as the principal grants go to. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** Namespace of the ServiceAccount. */
  public readonly namespace: string;
  /** Name of the ServiceAccount. */
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: EksWorkloadIdentityProps) {
    super(scope, id);
    const v = cdkPropValidator(this, 'EksWorkloadIdentity');
    const { namespace, serviceAccountName } = props.identity ?? v.fail('identity', props.identity, 'is required: a WorkloadIdentity or { namespace, serviceAccountName }.');
    v.check(typeof namespace === 'string' && DNS_LABEL.test(namespace) && namespace.length <= 63, 'identity.namespace', namespace,
      'must be a Kubernetes namespace name (a DNS-1123 label such as "shop").');
    v.check(typeof serviceAccountName === 'string' && DNS_SUBDOMAIN.test(serviceAccountName) && serviceAccountName.length <= 100,
      'identity.serviceAccountName', serviceAccountName, 'must be a ServiceAccount name (a DNS-1123 subdomain of at most 100 characters).');
    this.namespace = namespace;
    this.serviceAccountName = serviceAccountName;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: podIdentityPrincipal(this, props.cluster),
      description: props.description ?? `Workload identity ${namespace}/${serviceAccountName} on EKS cluster ${props.cluster.clusterName}`,
    });
    this.grantPrincipal = this.role;
    this.association = new (eksL1Classes().CfnPodIdentityAssociation)(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace,
      serviceAccount: serviceAccountName,
      roleArn: this.role.roleArn,
    });
  }
}
