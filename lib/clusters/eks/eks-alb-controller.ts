import { Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct, IDependable } from 'constructs';
import { albControllerPolicyStatements } from './private/alb-controller-policy';
import { PodIdentity } from './private/pod-identity';
import { EKS_VERSIONS, EksVersionPins } from './versions';
import { acknowledge } from '../../private/nag';

/** Props of {@link EksAlbController}. */
export interface EksAlbControllerProps {
  /** The cluster. */
  readonly cluster: eks.Cluster;
  /**
   * What the controller waits for (node groups, the Pod Identity agent).
   * @default - nothing
   */
  readonly dependsOn?: IDependable[];
  /**
   * The pinned versions of the cluster's Kubernetes version (a row of `EKS_VERSION_TABLE`).
   * @default EKS_VERSIONS (the default Kubernetes version)
   */
  readonly versions?: EksVersionPins;
}

const NAMESPACE = 'kube-system';
const SERVICE_ACCOUNT = 'aws-load-balancer-controller';

/**
 * The AWS Load Balancer Controller (Helm chart pinned in versions.ts) with its IAM policy through EKS Pod
 * Identity: it serves Ingresses of class `alb` (target type ip) and LoadBalancer Services as NLBs. Region
 * and VPC ID are passed explicitly because pods cannot reach the instance metadata (hop limit 1).
 */
export class EksAlbController extends Construct {
  /** The Helm release. */
  public readonly chart: eks.HelmChart;
  /** The controller's Pod Identity. */
  public readonly identity: PodIdentity;

  constructor(scope: Construct, id: string, props: EksAlbControllerProps) {
    super(scope, id);
    const v = (props.versions ?? EKS_VERSIONS).albController;
    this.identity = new PodIdentity(this, 'Identity', {
      cluster: props.cluster,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      statements: albControllerPolicyStatements(),
    });
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      repository: v.repository,
      chart: v.chart,
      version: v.version,
      release: 'aws-load-balancer-controller',
      namespace: NAMESPACE,
      wait: true,
      atomic: true,
      timeout: Duration.minutes(10),
      values: {
        clusterName: props.cluster.clusterName,
        region: Stack.of(this).region,
        vpcId: props.cluster.vpc.vpcId,
        replicaCount: 2,
        image: { tag: v.appVersion },
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
      },
    });
    this.chart.node.addDependency(this.identity);
    for (const d of props.dependsOn ?? []) this.chart.node.addDependency(d);

    acknowledge(this.identity.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The AWS Load Balancer Controller policy is the upstream document (docs/install/iam_policy.json): describe calls and creating load balancers, target groups and security groups cannot be scoped to ARNs that do not exist yet; mutating calls are conditioned on the elbv2.k8s.aws/cluster tag.',
    });
    for (const arn of [
      'arn:<AWS::Partition>:ec2:*:*:security-group/*',
      'arn:<AWS::Partition>:elasticloadbalancing:*:*:targetgroup/*/*',
      'arn:<AWS::Partition>:elasticloadbalancing:*:*:loadbalancer/net/*/*',
      'arn:<AWS::Partition>:elasticloadbalancing:*:*:loadbalancer/app/*/*',
      'arn:<AWS::Partition>:elasticloadbalancing:*:*:listener/net/*/*/*',
      'arn:<AWS::Partition>:elasticloadbalancing:*:*:listener/app/*/*/*',
      'arn:<AWS::Partition>:elasticloadbalancing:*:*:listener-rule/net/*/*/*',
      'arn:<AWS::Partition>:elasticloadbalancing:*:*:listener-rule/app/*/*/*',
    ]) {
      acknowledge(this.identity.role, {
        id: `AwsSolutions-IAM5[Resource::${arn}]`,
        reason: 'Upstream AWS Load Balancer Controller policy: the controller names load balancers, target groups and security groups itself; the statements are conditioned on the elbv2.k8s.aws/cluster resource tag.',
      });
    }
  }
}
