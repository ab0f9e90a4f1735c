import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IDependable } from 'constructs';
import { FLUENT_BIT_CHART } from './charts';
import { selfManagedClusterOf } from './private/cluster-kind';
import { containerLogGroup } from './private/log-group';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { PodSecurityLevel } from '../../workloads';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/** Props of the {@link FluentBitLogs} add-on. */
export interface FluentBitLogsProps {
  /**
   * The AWS region of the log group, written into Fluent Bit's configuration (a manifest cannot hold a
   * deploy-time value).
   * @default - the stack's region; an environment-agnostic stack must give it
   */
  readonly region?: string;
  /**
   * How long the log group keeps logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
  /**
   * The namespace of the Fluent Bit DaemonSet (Pod Security privileged: it reads the nodes' log files).
   * @default 'logging'
   */
  readonly namespace?: string;
}

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * Container logs of a k3s or kubeadm cluster to CloudWatch Logs: Fluent Bit (fluent/fluent-bit chart, pinned) on every
 * node tails `/var/log/containers`, adds the pod's namespace, name and labels, and writes to one log group
 * per cluster (`/cdk-k8s-platform/<cluster>/containers`, one year unless given, encrypted with the platform's
 * key when it has one). Fluent Bit authenticates as the node (host network, so it reaches the instance
 * metadata); the node roles may only write to that log group. Its namespace allows privileged pods: reading
 * the nodes' log files needs hostPath volumes, which every lower Pod Security level forbids.
 * Both distributions run containerd under a kubelet that writes `/var/log/pods` and links each container's log
 * into `/var/log/containers`, so the same paths serve both. On EKS use {@link CloudWatchObservability}.
 */
export class FluentBitLogs implements IPlatformAddOn {
  public readonly name = 'fluent-bit';
  /** The log group, once installed. */
  public logGroup?: logs.LogGroup;

  constructor(private readonly props: FluentBitLogsProps = {}) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'FluentBitLogs');
    const nodes = selfManagedClusterOf(v, cluster, 'On EKS use the CloudWatchObservability add-on (Container Insights with Fluent Bit).');
    const region = this.props.region ?? Stack.of(cluster).region;
    v.check(!Token.isUnresolved(region) && AWS_REGION.test(region), 'region', Token.isUnresolved(region) ? '(the stack\'s region, unknown at synth)' : region,
      'must be an AWS region such as "eu-west-1": give region, or an env with a region to the stack, since Fluent Bit\'s configuration is a manifest.');
    const namespace = v.dnsLabel('namespace', this.props.namespace ?? 'logging');
    const name = `/cdk-k8s-platform/${cluster.clusterName}/containers`;
    const scope = new Construct(cluster, 'FluentBitLogs');
    this.logGroup = containerLogGroup(scope, 'LogGroup', {
      name, retention: this.props.retention, retentionProp: 'FluentBitLogs retention', encryptionKey: nodes.encryptionKey,
    });
    const write = new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
    });
    for (const role of [nodes.serverRole, nodes.agentRole]) role.addToPrincipalPolicy(write);
    return cluster.addHelmChart(this.name, {
      ...FLUENT_BIT_CHART,
      namespace,
      podSecurity: PodSecurityLevel.PRIVILEGED,
      values: fluentBitValues(region, name),
    });
  }
}

/** The chart's values: a DaemonSet on the host network, reading logs as root without capabilities. */
function fluentBitValues(region: string, logGroupName: string): Record<string, unknown> {
  return {
    image: { tag: FLUENT_BIT_CHART.appVersion },
    hostNetwork: true,
    dnsPolicy: 'ClusterFirstWithHostNet',
    // the nodes' log files belong to root: read them as root, with nothing else
    securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    tolerations: [{ operator: 'Exists' }],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    config: {
      inputs: [
        '[INPUT]',
        '    Name tail',
        '    Path /var/log/containers/*.log',
        '    multiline.parser cri',
        '    Tag kube.*',
        '    Mem_Buf_Limit 5MB',
        '    Skip_Long_Lines On',
      ].join('\n'),
      filters: ['[FILTER]', '    Name kubernetes', '    Match kube.*', '    Merge_Log On', '    Keep_Log Off', '    Labels On', '    Annotations Off'].join('\n'),
      outputs: [
        '[OUTPUT]',
        '    Name cloudwatch_logs',
        '    Match kube.*',
        `    region ${region}`,
        `    log_group_name ${logGroupName}`,
        '    log_stream_prefix node-',
        '    log_stream_template $kubernetes[\'namespace_name\'].$kubernetes[\'pod_name\'].$kubernetes[\'container_name\']',
        '    auto_create_group Off',
      ].join('\n'),
    },
  };
}
