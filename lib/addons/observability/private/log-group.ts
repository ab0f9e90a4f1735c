import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeLogGroupChoices, allowLogsToUseKey, DEFAULT_LOG_RETENTION } from '../../../network/private/log-groups';

/** A log group the add-ons write container logs to. */
export interface ContainerLogGroupProps {
  readonly name: string;
  readonly retention?: logs.RetentionDays;
  /** The prop that sets the retention, as the user writes it. */
  readonly retentionProp: string;
  readonly encryptionKey?: kms.IKey;
}

/** A log group with a retention (one year unless given), encrypted with the key when one is given. */
export function containerLogGroup(scope: Construct, id: string, props: ContainerLogGroupProps): logs.LogGroup {
  const retention = props.retention ?? DEFAULT_LOG_RETENTION;
  if (props.encryptionKey) allowLogsToUseKey(scope, props.encryptionKey, props.name);
  const group = new logs.LogGroup(scope, id, {
    logGroupName: props.name,
    retention,
    encryptionKey: props.encryptionKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeLogGroupChoices(group, { retention, retentionProp: props.retentionProp, encryptionKey: props.encryptionKey });
  return group;
}
