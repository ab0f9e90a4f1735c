import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IDependable } from 'constructs';
import { PodIdentity } from './private/pod-identity';
import { PinnedChart } from './versions';
import { acknowledge } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';

/**
 * The External Secrets Operator chart this library installs (https://charts.external-secrets.io). Chart
 * 1.0.0 serves the `external-secrets.io/v1` API that `SecretRef.fromAwsSecretsManager` generates.
 */
export const EXTERNAL_SECRETS_CHART: PinnedChart = {
  repository: 'https://charts.external-secrets.io',
  chart: 'external-secrets',
  version: '1.0.0',
  appVersion: 'v1.0.0',
};

/** Name of the ClusterSecretStore, the default store of `SecretRef.fromAwsSecretsManager`. */
export const DEFAULT_CLUSTER_SECRET_STORE = 'aws-secrets-manager';

/** Options of the External Secrets Operator on an EKS platform cluster. */
export interface ExternalSecretsOptions {
  /**
   * Install the operator and the ClusterSecretStore (turn off if you run your own).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Prefix of the Secrets Manager secret names the operator may read: it gets `GetSecretValue` and
   * `DescribeSecret` on `arn:<partition>:secretsmanager:<region>:<account>:secret:<prefix>*` only. Name the
   * secrets of the platform `<prefix>...` (e.g. `acme/shop/db`).
   * @default '<cluster name>/'
   */
  readonly secretNamePrefix?: string;
  /**
   * Name of the ClusterSecretStore.
   * @default 'aws-secrets-manager' (the default store of SecretRef.fromAwsSecretsManager)
   */
  readonly storeName?: string;
}

/** Props of {@link EksExternalSecrets}. */
export interface EksExternalSecretsProps {
  /** The cluster. */
  readonly cluster: eks.Cluster;
  /** Prefix of the secret names the operator may read (see {@link ExternalSecretsOptions.secretNamePrefix}). */
  readonly secretNamePrefix: string;
  /**
   * Name of the ClusterSecretStore.
   * @default 'aws-secrets-manager'
   */
  readonly storeName?: string;
  /**
   * What the operator waits for (node groups, Pod Identity agent, CoreDNS, the load balancer controller's webhooks).
   * @default - nothing
   */
  readonly dependsOn?: IDependable[];
}

const NAMESPACE = 'external-secrets';
const SERVICE_ACCOUNT = 'external-secrets';
const SECRET_NAME_PREFIX = /^[A-Za-z0-9/_+=.@-]{1,256}$/;

/**
 * The External Secrets Operator (Helm chart pinned in {@link EXTERNAL_SECRETS_CHART}) with an EKS Pod
 * Identity role that may only read the secrets under one name prefix, and a ClusterSecretStore
 * `aws-secrets-manager` for AWS Secrets Manager in the stack's region. `ExternalSecret`s (from
 * `SecretRef.fromAwsSecretsManager`) are then filled at run time: secret values never pass through the
 * CDK app, the templates or the chart assets.
 */
export class EksExternalSecrets extends Construct {
  /** The operator's Helm release. */
  public readonly chart: eks.HelmChart;
  /** The operator's Pod Identity (role and association). */
  public readonly identity: PodIdentity;
  /** The ClusterSecretStore manifest (applied after the chart, which installs the CRDs). */
  public readonly store: eks.KubernetesManifest;
  /** The ClusterSecretStore object as applied. */
  public readonly storeObject: Record<string, unknown>;
  /** The ARN pattern of the secrets the operator may read. */
  public readonly secretArnPattern: string;
  /** Name of the ClusterSecretStore. */
  public readonly storeName: string;
  /** Prefix of the secret names the operator may read. */
  public readonly secretNamePrefix: string;

  constructor(scope: Construct, id: string, props: EksExternalSecretsProps) {
    super(scope, id);
    const v = cdkPropValidator(this, 'EksExternalSecrets');
    const prefix = props.secretNamePrefix;
    if (!Token.isUnresolved(prefix)) {
      v.check(typeof prefix === 'string' && SECRET_NAME_PREFIX.test(prefix) && !prefix.includes('*'), 'secretNamePrefix', prefix,
        'must be 1-256 characters of letters, digits and /_+=.@- (a Secrets Manager name prefix such as "acme/"), without wildcards.');
    }
    const storeName = props.storeName ?? DEFAULT_CLUSTER_SECRET_STORE;
    v.check(typeof storeName === 'string' && storeName.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(storeName),
      'storeName', storeName, 'must be a DNS-1123 subdomain such as "aws-secrets-manager".');

    this.storeName = storeName;
    this.secretNamePrefix = prefix;
    this.secretArnPattern = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${prefix}*`;
    this.identity = new PodIdentity(this, 'Identity', {
      cluster: props.cluster,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      statements: [new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [this.secretArnPattern],
      })],
    });
    acknowledge(this.identity.role, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*]`,
      reason: 'The External Secrets Operator reads only the secrets under the platform\'s name prefix (read actions only); Secrets Manager ARNs end in a random suffix, so a prefix needs a wildcard.',
    });

    const c = EXTERNAL_SECRETS_CHART;
    this.chart = new eks.HelmChart(this, 'Chart', {
      cluster: props.cluster,
      repository: c.repository,
      chart: c.chart,
      version: c.version,
      release: 'external-secrets',
      namespace: NAMESPACE,
      createNamespace: true,
      wait: true,
      atomic: true,
      timeout: Duration.minutes(10),
      values: {
        installCRDs: true,
        image: { tag: c.appVersion },
        webhook: { image: { tag: c.appVersion } },
        certController: { image: { tag: c.appVersion } },
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
      },
    });
    this.chart.node.addDependency(this.identity);
    for (const d of props.dependsOn ?? []) this.chart.node.addDependency(d);

    this.storeObject = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: storeName, labels: { 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' } },
      spec: {
        provider: {
          // No auth block: the operator uses its Pod Identity credentials; the region is explicit because
          // pods cannot reach the instance metadata (hop limit 1).
          aws: { service: 'SecretsManager', region: Stack.of(this).region },
        },
      },
    };
    this.store = new eks.KubernetesManifest(this, 'Store', {
      cluster: props.cluster,
      manifest: [this.storeObject],
      overwrite: true,
    });
    this.store.node.addDependency(this.chart);
  }
}
