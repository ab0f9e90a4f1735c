import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Options of flow logs to CloudWatch Logs. */
export interface CloudWatchFlowLogsOptions {
  /**
   * How long the log group keeps flow log records.
   * @default logs.RetentionDays.THREE_MONTHS
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
  /** To a CloudWatch Logs log group with a retention (the default). */
  public static cloudWatch(options: CloudWatchFlowLogsOptions = {}): FlowLogs {
    return new FlowLogs('cloudWatch', scope => {
      const logGroup = new logs.LogGroup(scope, 'FlowLogGroup', {
        retention: options.retention ?? logs.RetentionDays.THREE_MONTHS,
        removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      return ec2.FlowLogDestination.toCloudWatchLogs(logGroup);
    });
  }

  /** To an S3 bucket (cheaper for high volumes; query with Athena). */
  public static s3(options: S3FlowLogsOptions = {}): FlowLogs {
    return new FlowLogs('s3', scope => {
      let bucket = options.bucket;
      if (!bucket) {
        const created = new s3.Bucket(scope, 'FlowLogBucket', {
          encryption: s3.BucketEncryption.S3_MANAGED,
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
    private readonly make: (scope: Construct) => ec2.FlowLogDestination,
  ) {}

  /**
   * Creates the destination's resources under `scope`.
   * @internal
   */
  public _bind(scope: Construct): ec2.FlowLogDestination {
    return this.make(scope);
  }
}
