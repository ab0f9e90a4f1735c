import { Stack } from 'aws-cdk-lib';
import type { CfnPodIdentityAssociation } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { eksL1Classes } from './eks-l1';
import { acknowledge, CDK_DEFAULT_POLICY } from '../../../private/nag';

/** Props of a {@link PodIdentity}. */
export interface PodIdentityProps {
  /** The cluster. */
  readonly cluster: eks.ICluster;
  /** Namespace of the service account. */
  readonly namespace: string;
  /** Name of the service account. */
  readonly serviceAccount: string;
  /**
   * AWS managed policies for the role.
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];
  /**
   * Inline statements for the role.
   * @default - none
   */
  readonly statements?: iam.PolicyStatement[];
}

/**
 * The EKS Pod Identity principal, trusted only for `cluster` in this stack's account (`aws:SourceAccount`,
 * `aws:SourceArn`, as the EKS user guide recommends against the confused deputy), with session tags.
 */
export function podIdentityPrincipal(scope: Construct, cluster: { readonly clusterArn: string }): iam.IPrincipal {
  return new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
      ArnEquals: { 'aws:SourceArn': cluster.clusterArn },
    },
  }));
}

/**
 * An IAM role that pods of one service account assume through EKS Pod Identity (the
 * `eks-pod-identity-agent` add-on): a role trusted by `pods.eks.amazonaws.com` and an
 * `AWS::EKS::PodIdentityAssociation`. The trust names the account and the cluster. No OIDC provider and no service-account annotation needed.
 */
export class PodIdentity extends Construct {
  public readonly role: iam.Role;
  public readonly association: CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: PodIdentityProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: podIdentityPrincipal(this, props.cluster),
      description: `EKS Pod Identity role of ${props.namespace}/${props.serviceAccount}`,
      managedPolicies: props.managedPolicies,
    });
    for (const statement of props.statements ?? []) this.role.addToPrincipalPolicy(statement);
    if (props.statements?.length) acknowledge(this.role, CDK_DEFAULT_POLICY);
    this.association = new (eksL1Classes().CfnPodIdentityAssociation)(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.roleArn,
    });
  }
}
