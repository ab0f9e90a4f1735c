import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IDependable } from 'constructs';
import { eksClusterOf } from './private/cluster-kind';
import { containerLogGroup } from './private/log-group';
import { eksL1Classes } from '../../clusters/eks/private/eks-l1';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { acknowledge } from '../../private/nag';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/**
 * The `amazon-cloudwatch-observability` EKS add-on version installed (CloudWatch agent with Container
 * Insights, and Fluent Bit to CloudWatch Logs).
 */
export const CLOUDWATCH_OBSERVABILITY_ADDON_VERSION = 'v6.7.0-eksbuild.1';

/** The log groups Container Insights writes to, under `/aws/containerinsights/<cluster>/`. */
const CONTAINER_INSIGHTS_LOG_GROUPS = ['application', 'dataplane', 'host', 'performance'];

/** Props of the {@link CloudWatchObservability} add-on. */
export interface CloudWatchObservabilityProps {
  /**
   * The add-on version (`aws eks describe-addon-versions --addon-name amazon-cloudwatch-observability`).
   * @default CLOUDWATCH_OBSERVABILITY_ADDON_VERSION
   */
  readonly addonVersion?: string;
  /**
   * How long the Container Insights log groups keep logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
  /**
   * A customer-managed KMS key for the log groups.
   * @default - the CloudWatch Logs service key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The AWS way on EKS: the `amazon-cloudwatch-observability` add-on (Container Insights metrics and Fluent
 * Bit shipping container logs to CloudWatch Logs), its agent authenticated by EKS Pod Identity with the AWS
 * managed `CloudWatchAgentServerPolicy` (no node-role permissions). Its four log groups are created first with
 * a retention (one year unless given), so they never keep logs forever. Use it instead of or next to the
 * {@link Observability} add-on; EKS only (on k3s and kubeadm use {@link FluentBitLogs}).
 */
export class CloudWatchObservability implements IPlatformAddOn {
  public readonly name = 'cloudwatch-observability';

  constructor(private readonly props: CloudWatchObservabilityProps = {}) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'CloudWatchObservability');
    const platform = eksClusterOf(v, cluster, 'On k3s and kubeadm ship logs with FluentBitLogs and metrics with Observability.');
    const version = this.props.addonVersion ?? CLOUDWATCH_OBSERVABILITY_ADDON_VERSION;
    v.check(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(version), 'addonVersion', version, 'must be one exact EKS add-on version such as "v6.7.0-eksbuild.1".');
    const scope = new Construct(cluster, 'CloudWatchObservability');
    const identity = new PodIdentity(scope, 'Identity', {
      cluster: platform.cluster,
      namespace: 'amazon-cloudwatch',
      serviceAccount: 'cloudwatch-agent',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy')],
    });
    acknowledge(identity.role, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]',
      reason: 'The AWS-maintained policy the CloudWatch agent needs (PutMetricData, log delivery, EC2 and EKS describes): what the add-on\'s guide prescribes.',
    });
    const groups = CONTAINER_INSIGHTS_LOG_GROUPS.map(g => containerLogGroup(scope, `LogGroup-${g}`, {
      name: `/aws/containerinsights/${cluster.clusterName}/${g}`,
      retention: this.props.retention,
      retentionProp: 'CloudWatchObservability retention',
      encryptionKey: this.props.encryptionKey,
    }));
    const addon = new (eksL1Classes().CfnAddon)(scope, 'Addon', {
      addonName: 'amazon-cloudwatch-observability',
      addonVersion: version,
      clusterName: platform.cluster.clusterName,
      resolveConflicts: 'OVERWRITE',
    });
    addon.node.addDependency(identity, ...groups, ...platform.workloadDependencies);
    return addon;
  }
}
