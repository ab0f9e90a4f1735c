import * as path from 'path';
import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { inlinePolicyFindings } from './compliance';
import { renderScript } from './render';
import { acknowledge, nagRegionAccount } from '../../../private/nag';

/** How long a terminating node may take to be drained (the lifecycle hook's heartbeat). */
export const DRAIN_HEARTBEAT = Duration.minutes(15);
/** kubectl drain's own timeout: shorter than the heartbeat, so the runbook still completes the action. */
const DRAIN_TIMEOUT = '10m';
/** The Run Command execution timeout of a drain (between the kubectl timeout and the heartbeat). */
const COMMAND_TIMEOUT = Duration.minutes(13);
const SCRIPT = path.join(__dirname, '..', 'scripts', 'drain-node.sh');
/** Automation parameters are substituted into the command text: the instance id of the terminating node. */
const INSTANCE_PARAMETER = '{{ InstanceId }}';

/** Props of {@link NodeDrain}. */
export interface NodeDrainProps {
  readonly clusterName: string;
  readonly mode: 'k3s' | 'kubeadm';
  /** Tag (key and value) of the servers, which drain an agent's Node. */
  readonly serverTag: { readonly key: string; readonly value: string };
  /**
   * Tag (key and value) on every node and group of the cluster: scopes the runbook's role, together with
   * the stack's id (STACK_TAG), since two stacks of one account may name their clusters alike.
   */
  readonly clusterTag: { readonly key: string; readonly value: string };
}

/**
 * The tag CloudFormation puts on every Auto Scaling group it creates and on the group's instances: the
 * stack's id. Its `aws:` prefix is reserved, so no other stack's or user's resource can carry this value.
 */
export const STACK_TAG = 'aws:cloudformation:stack-id';

/**
 * Cordons and drains every node of a self-managed cluster before its Auto Scaling group terminates it
 * (rolling update, scale-in, health replacement): a termination lifecycle hook on each group, an
 * EventBridge rule per group on "EC2 Instance-terminate Lifecycle Action", and an SSM Automation runbook
 * that runs the drain with Run Command and then completes the lifecycle action (CONTINUE), also when the
 * drain fails: the hook's heartbeat bounds the wait in any case.
 *
 * Servers drain themselves (the bootstrap's pre-terminate command: etcd snapshot first); an agent has no
 * API credentials, so the servers drain it. Nothing here references a group, so each group can depend on
 * it: the first rolling update that introduces it already drains.
 */
export class NodeDrain extends Construct {
  /** The runbook (SSM Automation document). */
  public readonly document: ssm.CfnDocument;
  /** The role the runbook runs as. */
  public readonly automationRole: iam.Role;
  /** The role EventBridge starts the runbook with. */
  public readonly eventsRole: iam.Role;
  private readonly props: NodeDrainProps;

  constructor(scope: Construct, id: string, props: NodeDrainProps) {
    super(scope, id);
    this.props = props;
    this.automationRole = new iam.Role(this, 'AutomationRole', {
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `${props.clusterName}: drains a terminating node and completes its lifecycle action`,
    });
    this.grantAutomation();
    this.document = new ssm.CfnDocument(this, 'Runbook', {
      documentType: 'Automation',
      documentFormat: 'JSON',
      content: this.runbook(),
    });
    this.eventsRole = new iam.Role(this, 'EventsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `${props.clusterName}: starts the drain runbook on a termination lifecycle action`,
    });
    const definition = Stack.of(this).formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${this.document.ref}:*` });
    this.eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:StartAutomationExecution'], resources: [definition] }));
    this.eventsRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.automationRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    }));
    inlinePolicyFindings(this.automationRole);
    inlinePolicyFindings(this.eventsRole);
    acknowledge(this.eventsRole, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${nagRegionAccount(this)}:automation-definition/<${this.logicalIdOf(this.document)}>:*]`,
      reason: 'EventBridge starts the current version of the cluster\'s own drain runbook; an automation definition ARN names its version after the colon.',
    });
  }

  /**
   * Adds the termination hook to `group` (inline, so it exists before the group's next rolling update) and
   * the rule that starts the runbook for it; the group depends on the rule, runbook and roles.
   */
  public addGroup(group: autoscaling.AutoScalingGroup, role: 'server' | 'agent'): void {
    const hookName = `${Aws.STACK_NAME}-${this.props.clusterName}-${role}-drain`;
    const cfn = group.node.defaultChild as autoscaling.CfnAutoScalingGroup;
    cfn.lifecycleHookSpecificationList = [{
      lifecycleHookName: hookName,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeout: DRAIN_HEARTBEAT.toSeconds(),
      defaultResult: 'CONTINUE',
    }];
    const rule = new events.CfnRule(this, `${role === 'server' ? 'Server' : 'Agent'}Rule`, {
      description: `${this.props.clusterName}: drain a terminating ${role} before it goes`,
      eventPattern: {
        'source': ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
        'detail': { LifecycleHookName: [hookName] },
      },
      targets: [{
        id: 'DrainRunbook',
        arn: Stack.of(this).formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${this.document.ref}:$DEFAULT` }),
        roleArn: this.eventsRole.roleArn,
        inputTransformer: {
          inputPathsMap: {
            instance: '$.detail.EC2InstanceId',
            group: '$.detail.AutoScalingGroupName',
            hook: '$.detail.LifecycleHookName',
            token: '$.detail.LifecycleActionToken',
          },
          inputTemplate: `{"InstanceId":["<instance>"],"AutoScalingGroupName":["<group>"],"LifecycleHookName":["<hook>"],"LifecycleActionToken":["<token>"],"NodeRole":["${role}"]}`,
        },
      }],
    });
    group.node.addDependency(rule, this.document, this.automationRole, this.eventsRole);
  }

  private grantAutomation(): void {
    const { clusterTag } = this.props;
    const stack = Stack.of(this);
    const role = this.automationRole;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:SendCommand'],
      resources: [stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: 'AWS-RunShellScript' })],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:SendCommand'],
      resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
      conditions: { StringEquals: { [`ssm:resourceTag/${clusterTag.key}`]: clusterTag.value, [`ssm:resourceTag/${STACK_TAG}`]: Aws.STACK_ID } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['autoscaling:CompleteLifecycleAction'],
      resources: [stack.formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: '*:autoScalingGroupName/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      conditions: { StringEquals: { [`autoscaling:ResourceTag/${clusterTag.key}`]: clusterTag.value, [`autoscaling:ResourceTag/${STACK_TAG}`]: Aws.STACK_ID } },
    }));
    acknowledge(role,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Reading Run Command results (ssm:ListCommands, ListCommandInvocations, GetCommandInvocation, DescribeInstanceInformation) cannot be scoped to a resource.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${nagRegionAccount(role)}:instance/*]`,
        reason: 'The drain runs on instances the Auto Scaling groups create; the statement is conditioned on the cluster\'s tag and the stack id tag CloudFormation puts on them (ssm:resourceTag).',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${nagRegionAccount(role)}:autoScalingGroup:*:autoScalingGroupName/*]`,
        reason: 'A group\'s ARN holds a generated id and referencing it would make the group depend on its own drain; the statement is conditioned on the cluster\'s tag and the stack id tag CloudFormation puts on the group (autoscaling:ResourceTag).',
      });
  }

  private runbook(): Record<string, unknown> {
    const runCommand = (role: 'server' | 'agent') => ({
      name: role === 'server' ? 'drainServer' : 'drainAgentFromServers',
      action: 'aws:runCommand',
      timeoutSeconds: COMMAND_TIMEOUT.toSeconds() + 60,
      onFailure: 'step:completeLifecycleAction',
      nextStep: 'completeLifecycleAction',
      inputs: {
        DocumentName: 'AWS-RunShellScript',
        ...(role === 'server'
          ? { InstanceIds: [INSTANCE_PARAMETER] }
          : { Targets: [{ Key: `tag:${this.props.serverTag.key}`, Values: [this.props.serverTag.value] }], MaxConcurrency: '1' }),
        Parameters: { commands: drainCommands(this.props.mode, role), executionTimeout: [String(COMMAND_TIMEOUT.toSeconds())] },
      },
    });
    return {
      schemaVersion: '0.3',
      description: `Drains a terminating node of ${this.props.clusterName} (servers snapshot etcd first), then lets the Auto Scaling group terminate it.`,
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: {
        AutomationAssumeRole: { type: 'String', default: this.automationRole.roleArn },
        InstanceId: { type: 'String', allowedPattern: '^i-[0-9a-f]{8,17}$' },
        AutoScalingGroupName: { type: 'String' },
        LifecycleHookName: { type: 'String' },
        LifecycleActionToken: { type: 'String' },
        NodeRole: { type: 'String', allowedValues: ['server', 'agent'] },
      },
      mainSteps: [
        {
          name: 'chooseDrain',
          action: 'aws:branch',
          inputs: { Choices: [{ NextStep: 'drainServer', Variable: '{{ NodeRole }}', StringEquals: 'server' }], Default: 'drainAgentFromServers' },
        },
        runCommand('server'),
        runCommand('agent'),
        {
          name: 'completeLifecycleAction',
          action: 'aws:executeAwsApi',
          isEnd: true,
          inputs: {
            Service: 'autoscaling',
            Api: 'CompleteLifecycleAction',
            AutoScalingGroupName: '{{ AutoScalingGroupName }}',
            LifecycleHookName: '{{ LifecycleHookName }}',
            LifecycleActionToken: '{{ LifecycleActionToken }}',
            InstanceId: INSTANCE_PARAMETER,
            LifecycleActionResult: 'CONTINUE',
          },
        },
      ],
    };
  }

  private logicalIdOf(resource: ssm.CfnDocument): string {
    return Stack.of(this).getLogicalId(resource);
  }
}

/**
 * The Run Command text of a drain: scripts/drain-node.sh, written to a file and run with bash (Run Command
 * runs `commands` with sh). The node is the automation's `{{ InstanceId }}` parameter.
 */
export function drainCommands(mode: 'k3s' | 'kubeadm', role: 'server' | 'agent'): string[] {
  const script = renderScript([SCRIPT], { MODE: mode, ROLE: role, NODE: INSTANCE_PARAMETER, DRAIN_TIMEOUT });
  return [
    'f=$(mktemp)',
    'cat > "$f" <<\'CDK_K8S_PLATFORM_DRAIN\'',
    ...script.split('\n'),
    'CDK_K8S_PLATFORM_DRAIN',
    'rc=0; bash "$f" || rc=$?; rm -f "$f"; exit "$rc"',
  ];
}
