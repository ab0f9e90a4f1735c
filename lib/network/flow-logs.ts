import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeLogGroupChoices, allowLogsToUseKey, DEFAULT_LOG_RETENTION } from './private/log-groups';
import { acknowledge, NagAcknowledgement } from '../private/nag';

/** Options of flow logs to CloudWatch Logs. */
export interface CloudWatchFlowLogsOptions {
  /**
   * How long the log group keeps flow log records. Shorter than a year fails AWS's guard rule
   * CT.CLOUDWATCH.PR.2; the finding is then acknowledged as your choice.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Options of flow logs to S3. */
export interface S3FlowLogsOptions {
  /**
   * The bucket that receives the records.
   * @default - a bucket is created (encrypted, TLS only, public access blocked, versioned, retained)
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix of the records in the bucket.
   * @default 'vpc-flow-logs/'
   */
  readonly keyPrefix?: string;
  /**
   * When a created bucket expires records.
   * @default Duration.days(90)
   */
  readonly expiration?: Duration;
}

/** Where the VPC's flow logs (all accepted and rejected traffic) are written. */
export class FlowLogs {
  /**
   * To a CloudWatch Logs log group with a retention (the default), encrypted with the network's
   * `encryptionKey` when one is given.
   */
  public static cloudWatch(options: CloudWatchFlowLogsOptions = {}): FlowLogs {
    return new FlowLogs('cloudWatch', (scope, encryptionKey) => {
      const retention = options.retention ?? DEFAULT_LOG_RETENTION;
      if (encryptionKey) allowLogsToUseKey(scope, encryptionKey, '*');
      const logGroup = new logs.LogGroup(scope, 'FlowLogGroup', {
        retention,
        encryptionKey,
        removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      acknowledgeLogGroupChoices(logGroup, { retention, retentionProp: 'flowLogs: FlowLogs.cloudWatch({ retention })', encryptionKey });
      return ec2.FlowLogDestination.toCloudWatchLogs(logGroup);
    });
  }

  /**
   * To an S3 bucket (cheaper for high volumes; query with Athena). A created bucket is encrypted with the
   * network's `encryptionKey` when one is given (SSE-KMS with an S3 Bucket Key), otherwise with S3-managed keys.
   */
  public static s3(options: S3FlowLogsOptions = {}): FlowLogs {
    return new FlowLogs('s3', (scope, encryptionKey) => {
      const bucket = options.bucket ?? flowLogBucket(scope, options, encryptionKey);
      return ec2.FlowLogDestination.toS3(bucket, options.keyPrefix ?? 'vpc-flow-logs/');
    });
  }

  private constructor(
    /** A short name: cloudWatch or s3. */
    public readonly kind: string,
    private readonly make: (scope: Construct, encryptionKey?: kms.IKey) => ec2.FlowLogDestination,
  ) {}

  /**
   * Creates the destination's resources under `scope`, encrypted with `encryptionKey` if given.
   * @internal
   */
  public _bind(scope: Construct, encryptionKey?: kms.IKey): ec2.FlowLogDestination {
    return this.make(scope, encryptionKey);
  }
}

/**
 * The created flow-log bucket: encrypted (SSE-KMS with the network's key, else S3-managed), private, TLS only,
 * versioned, EventBridge notifications on, records expiring after `expiration`, retained.
 */
function flowLogBucket(scope: Construct, options: S3FlowLogsOptions, encryptionKey?: kms.IKey): s3.Bucket {
  if (encryptionKey) allowFlowLogDeliveryToUseKey(scope, encryptionKey);
  const expiration = options.expiration ?? Duration.days(90);
  const bucket = new s3.Bucket(scope, 'FlowLogBucket', {
    ...(encryptionKey ? { encryption: s3.BucketEncryption.KMS, encryptionKey, bucketKeyEnabled: true } : { encryption: s3.BucketEncryption.S3_MANAGED }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      { expiration, noncurrentVersionExpiration: Duration.days(1) },
      { expiredObjectDeleteMarker: true },
    ],
  });
  // EventBridge notifications through CloudFormation itself (eventBridgeEnabled would add a custom resource)
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  acknowledge(bucket, ...flowLogBucketAcknowledgements(encryptionKey));
  return bucket;
}

function flowLogBucketAcknowledgements(encryptionKey?: kms.IKey): NagAcknowledgement[] {
  const logBucket = 'This bucket is itself a log destination (VPC flow logs); server access logs of a log bucket would need yet another log bucket.';
  const acks: NagAcknowledgement[] = [
    { id: 'AwsSolutions-S1', reason: logBucket },
    { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: logBucket },
    { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: logBucket },
    {
      id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      reason: 'Flow log records expire on the schedule the user chose (FlowLogs.s3({ expiration })); Object Lock would keep them from being deleted on it. The bucket is versioned, private and TLS only.',
    },
    {
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Flow logs are operational records of this VPC, kept for the chosen expiration; replicating them to another region would double their storage. Pass FlowLogs.s3({ bucket }) to use a replicated bucket.',
    },
  ];
  if (!encryptionKey) {
    const reason = 'Encrypted with S3-managed keys because no customer-managed encryptionKey was given to the platform (EksPlatformStack, SelfManagedPlatformStack or PlatformNetwork prop encryptionKey); pass one for SSE-KMS.';
    acks.push({ id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason }, { id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', reason });
  }
  return acks;
}

/**
 * Lets the log delivery service write flow log records into a bucket encrypted with `key` (the VPC flow logs
 * guide's key policy for SSE-KMS buckets), for flow logs of this account only.
 */
function allowFlowLogDeliveryToUseKey(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  const added = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowVpcFlowLogDelivery',
    principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }) },
    },
  }));
  if (!added.statementAdded) {
    Annotations.of(scope).addWarningV2('cdk-k8s-platform:encryptionKeyPolicy',
      'encryptionKey is not defined in this app, so its key policy cannot be extended: allow the service principal delivery.logs.amazonaws.com '
      + 'kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey* and kms:DescribeKey for aws:SourceAccount = <account>, or flow logs cannot reach the bucket.');
  }
}

