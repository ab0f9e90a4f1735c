import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../../../private/nag';

/** The EventBridge events Karpenter handles before EC2 takes a node away (its interruption handling). */
export const INTERRUPTION_EVENTS: ReadonlyArray<{ readonly id: string; readonly pattern: events.EventPattern }> = [
  { id: 'ScheduledChange', pattern: { source: ['aws.health'], detailType: ['AWS Health Event'] } },
  { id: 'SpotInterruption', pattern: { source: ['aws.ec2'], detailType: ['EC2 Spot Instance Interruption Warning'] } },
  { id: 'Rebalance', pattern: { source: ['aws.ec2'], detailType: ['EC2 Instance Rebalance Recommendation'] } },
  { id: 'InstanceStateChange', pattern: { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'] } },
];

/**
 * Karpenter's interruption queue: an SQS queue (SSE, TLS only, messages kept 5 minutes: older ones are stale)
 * fed by four EventBridge rules (spot interruption warnings, rebalance recommendations, instance state changes,
 * AWS Health scheduled changes), so Karpenter drains a node and starts its replacement before EC2 stops it.
 */
export function interruptionQueue(scope: Construct, clusterName: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'InterruptionQueue', {
    queueName: `${clusterName}-karpenter`,
    retentionPeriod: Duration.minutes(5),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  const noDeadLetters = 'Karpenter\'s interruption queue holds EC2 and AWS Health events that are stale after minutes; a dead-letter queue would keep events nobody may act on.';
  acknowledge(queue, { id: 'cdk-validator-cfnguard::sqs_dlq_check', reason: noDeadLetters }, {
    id: 'AwsSolutions-SQS3',
    reason: noDeadLetters,
  });
  for (const e of INTERRUPTION_EVENTS) {
    new events.Rule(scope, `${e.id}Rule`, {
      description: `Karpenter interruption handling of cluster ${clusterName}: ${e.pattern.detailType![0]}`,
      eventPattern: e.pattern,
      targets: [new targets.SqsQueue(queue)],
    });
  }
  return queue;
}
