import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IDependable } from 'constructs';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { ROLE_ARN_ANNOTATION } from '../../clusters/self-managed/identity/pod-identity-webhook';
import { SelfManagedClusterBase } from '../../clusters/self-managed/self-managed-cluster';
import { acknowledge, CDK_DEFAULT_POLICY, NagAcknowledgement } from '../../private/nag';
import { PropValidator } from '../../workloads/private/validate';

/** What an add-on's controller may do in AWS, and whose pods get it. */
export interface AddOnRoleOptions {
  /** What the controller needs the role for, for the refusal (e.g. "external-dns to change Route 53 records"). */
  readonly purpose: string;
  /** The prop named when the cluster cannot give the role. */
  readonly prop: string;
  /** The value shown with `prop` in a refusal. Default: the cluster's path and kind. */
  readonly value?: unknown;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly statements: iam.PolicyStatement[];
  readonly acknowledgements: NagAcknowledgement[];
}

/** An add-on's AWS role on its cluster. */
export interface AddOnRole {
  readonly role: iam.IRole;
  /** EKS: the role and its Pod Identity association. */
  readonly podIdentity?: PodIdentity;
  /** The annotations of the chart's ServiceAccount (k3s and kubeadm: the role ARN the pod identity webhook reads). */
  readonly serviceAccountAnnotations: Record<string, string>;
  /** What the release must wait for (EKS: the association; k3s and kubeadm deliver the role's ARN in the values). */
  readonly dependsOn: IDependable[];
}

/**
 * The same statements on every cluster kind: on EKS a Pod Identity role; on k3s and kubeadm the web-identity role of
 * the ServiceAccount through the cluster's `workloadIdentity` (trusted with `sub` and `aud` conditions), which the
 * pod identity webhook gives the pods of a ServiceAccount annotated with its ARN. Refused without `workloadIdentity`.
 */
export function addOnRole(scope: Construct, id: string, v: PropValidator, cluster: IPlatformCluster, o: AddOnRoleOptions): AddOnRole {
  if (cluster instanceof EksPlatformCluster) {
    const podIdentity = new PodIdentity(scope, id, {
      cluster: cluster.cluster, namespace: o.namespace, serviceAccount: o.serviceAccount, statements: o.statements,
    });
    acknowledge(podIdentity.role, ...o.acknowledgements);
    return { role: podIdentity.role, podIdentity, serviceAccountAnnotations: {}, dependsOn: [podIdentity] };
  }
  const shown = o.value ?? `${cluster.node.path} (${cluster.distribution})`;
  if (!(cluster instanceof SelfManagedClusterBase)) {
    return v.fail(o.prop, shown,
      `needs an AWS identity for ${o.purpose}, which this add-on gives on EKS (Pod Identity) and on k3s and kubeadm (workloadIdentity) only.`);
  }
  const identity = cluster.workloadIdentity;
  if (!identity) {
    return v.fail(o.prop, shown, `needs an AWS identity for ${o.purpose}, and cluster ${cluster.clusterName} has workloadIdentity off. `
      + 'Set workloadIdentity: {} on the cluster (SelfManagedPlatformStack: cluster: { workloadIdentity: {} }): its servers roll once to sign '
      + 'service-account tokens with a public issuer (adds an S3 bucket, a CloudFront distribution, an IAM OIDC provider and the pod identity webhook).');
  }
  const role = identity.roleFor(o.namespace, o.serviceAccount);
  o.statements.forEach(s => role.addToPrincipalPolicy(s));
  acknowledge(role, CDK_DEFAULT_POLICY, ...o.acknowledgements);
  return { role, serviceAccountAnnotations: { [ROLE_ARN_ANNOTATION]: identity.roleArnOf(role) }, dependsOn: [] };
}

/** route53:GetChange has no finer resource than a change id. */
export const GET_CHANGE_ACKNOWLEDGEMENT: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]',
  reason: 'route53:GetChange has no finer resource than a change id, which Route 53 makes at each change; the role reads change status only.',
};
