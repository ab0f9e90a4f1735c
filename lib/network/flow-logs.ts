import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeLogGroupChoices, allowLogsToUseKey, DEFAULT_LOG_RETENTION } from './private/log-groups';

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
   * @default - a bucket is created (encrypted, TLS only, public access blocked, retained)
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
      let bucket = options.bucket;
      if (!bucket) {
        if (encryptionKey) allowFlowLogDeliveryToUseKey(scope, encryptionKey);
        const created = new s3.Bucket(scope, 'FlowLogBucket', {
          ...(encryptionKey ? { encryption: s3.BucketEncryption.KMS, encryptionKey, bucketKeyEnabled: true } : { encryption: s3.BucketEncryption.S3_MANAGED }),
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          enforceSSL: true,
          removalPolicy: RemovalPolicy.RETAIN,
          lifecycleRules: [{ expiration: options.expiration ?? Duration.days(90) }],
        });
        Validations.of(created).acknowledge({
          id: 'AwsSolutions-S1',
          reason: 'This bucket is itself a log destination (VPC flow logs); server access logs of a log bucket would need yet another log bucket.',
        });
        bucket = created;
      }
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

