import { Annotations, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { acknowledge, NagAcknowledgement } from '../../private/nag';

/** The retention of the log groups the library creates, unless the user chooses another (CT.CLOUDWATCH.PR.2). */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** Where a log group's settings come from, for the acknowledgements' reasons. */
export interface LogGroupChoices {
  /** The retention in effect. */
  readonly retention: logs.RetentionDays;
  /** The prop that sets the retention, as the user writes it, e.g. `controlPlaneLogRetention`. */
  readonly retentionProp: string;
  /** The customer-managed key, if the user gave one. */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Lets CloudWatch Logs use `key` for log groups of this account and region whose ARN matches `logGroupName`
 * (a name, or `*`), as the CloudWatch Logs guide asks: the regional `logs` service principal with the
 * `kms:EncryptionContext:aws:logs:arn` condition. A key from another stack or account cannot be changed from
 * here: a warning gives the statement to add to its policy.
 */
export function allowLogsToUseKey(scope: IConstruct, key: kms.IKey, logGroupName: string): void {
  const stack = Stack.of(scope);
  const arn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const added = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: `AllowCloudWatchLogs${logGroupName.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 100),
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arn } },
  }));
  if (!added.statementAdded) {
    Annotations.of(scope).addWarningV2('cdk-k8s-platform:encryptionKeyPolicy',
      'encryptionKey is not defined in this app, so its key policy cannot be extended: allow the service principal logs.<region>.amazonaws.com '
      + 'kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* on condition ArnLike '
      + `kms:EncryptionContext:aws:logs:arn = arn:<partition>:logs:<region>:<account>:log-group:${logGroupName}, or the log group cannot be created.`);
  }
}

/**
 * Acknowledges the findings on a log group that follow from the user's choices: no `encryptionKey` (AWS-owned
 * key), a retention shorter than a year, or no expiry at all.
 */
export function acknowledgeLogGroupChoices(logGroup: IConstruct, choices: LogGroupChoices): void {
  const acks: NagAcknowledgement[] = [];
  const key = choices.encryptionKey;
  if (!key) {
    const reason = 'Encrypted with the CloudWatch Logs service key because no customer-managed encryptionKey was given to the platform (EksPlatformStack, SelfManagedPlatformStack or PlatformNetwork prop encryptionKey); pass one to encrypt the log group with it.';
    acks.push({ id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason }, { id: 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', reason });
  } else if (Token.isUnresolved(key.keyArn) && Stack.of(key) !== Stack.of(logGroup)) {
    acks.push({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      reason: 'Encrypted with the encryptionKey the user gave, defined in another stack: KmsKeyId is a cross-stack reference (Fn::ImportValue), and the rule recognizes only keys of the same template or literal ARNs.',
    });
  }
  if (choices.retention === logs.RetentionDays.INFINITE) {
    const reason = `The user chose to keep these logs forever (${choices.retentionProp}: RetentionDays.INFINITE); the default is one year.`;
    acks.push({ id: 'NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod', reason });
    // without RetentionInDays (and without a key) the log group has no Properties, which the guard rule cannot read
    if (!key) acks.push({ id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check', reason: `${reason} The log group then has no properties, which the rule reads as a failure.` });
  } else if (choices.retention < 365) {
    acks.push({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason: `The user chose a retention of ${choices.retention} days (${choices.retentionProp}), shorter than the one-year default.`,
    });
  }
  acknowledge(logGroup, ...acks);
}
