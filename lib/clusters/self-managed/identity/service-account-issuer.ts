import { CfnJson, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, CDK_DEFAULT_POLICY } from '../../../private/nag';
import { cdkPropValidator } from '../../../private/validate';

/** The audience of the tokens the pod identity webhook projects, and the only client id of the OIDC provider. */
export const STS_AUDIENCE = 'sts.amazonaws.com';
/** The issuer every k3s and kubeadm API server uses by default; kept accepted (second) after the change. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The object keys of the published OIDC documents (the paths the API server serves them at). */
export const OIDC_DOCUMENTS = { discovery: '.well-known/openid-configuration', jwks: 'openid/v1/jwks' } as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Props of a {@link ServiceAccountIssuer}. */
export interface ServiceAccountIssuerProps {
  /** The cluster's name (descriptions only). */
  readonly clusterName: string;
}

/**
 * The public face of a self-managed cluster's service-account issuer, the way self-managed Kubernetes on AWS
 * does IRSA: the API server signs service-account tokens with issuer `https://<distribution>.cloudfront.net`;
 * the servers publish the OIDC discovery document and the JWKS (the public keys, no secret) they serve
 * (`/.well-known/openid-configuration`, `/openid/v1/jwks`) to a private bucket; a CloudFront distribution
 * reads the bucket through Origin Access Control (the bucket stays private: Block Public Access, SSL only)
 * and serves them over HTTPS; an IAM OIDC provider for that URL (audience `sts.amazonaws.com`) lets STS
 * verify the tokens, so {@link roleFor} roles can be assumed with `AssumeRoleWithWebIdentity`.
 */
export class ServiceAccountIssuer extends Construct {
  /** The bucket of the two documents (private; only CloudFront reads it, only the servers write them). */
  public readonly bucket: s3.Bucket;
  /** The HTTPS distribution in front of the bucket. */
  public readonly distribution: cloudfront.Distribution;
  /** The IAM OIDC provider of the issuer (client id `sts.amazonaws.com`). */
  public readonly provider: iam.OidcProviderNative;
  /** The issuer URL the API servers sign with: `https://<distribution domain>` (a token until deploy). */
  public readonly issuerUrl: string;
  /** Where the JWKS is published: `<issuerUrl>/openid/v1/jwks`. */
  public readonly jwksUri: string;
  private readonly host: string;
  private readonly roles = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: ServiceAccountIssuerProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Documents', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Service-account issuer of ${props.clusterName} (OIDC discovery and JWKS)`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Honours the objects' Cache-Control (max-age=300): a new key reaches STS within minutes.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    this.host = this.distribution.distributionDomainName;
    this.issuerUrl = `https://${this.host}`;
    this.jwksUri = `${this.issuerUrl}/${OIDC_DOCUMENTS.jwks}`;
    this.provider = new iam.OidcProviderNative(this, 'Provider', { url: this.issuerUrl, clientIds: [STS_AUDIENCE] });
    this.acknowledgeFindings();
  }

  /** Lets `role` (the servers') publish the two documents, and nothing else in the bucket. */
  public grantPublish(role: iam.IGrantable): void {
    role.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: Object.values(OIDC_DOCUMENTS).map(key => this.bucket.arnForObjects(key)),
    }));
  }

  /**
   * The IAM role of one Kubernetes ServiceAccount: assumable with `sts:AssumeRoleWithWebIdentity` only by a
   * token of this issuer whose `sub` is `system:serviceaccount:<namespace>:<serviceAccount>` and whose `aud`
   * is `sts.amazonaws.com`. The same pair returns the same role.
   *
   * @param roleName a fixed role name (an ARN known at synth); without it CloudFormation generates one
   */
  public roleFor(namespace: string, serviceAccount: string, roleName?: string): iam.Role {
    const v = cdkPropValidator(this, 'ServiceAccountIssuer');
    v.check(DNS_LABEL.test(namespace), 'namespace', namespace, 'must be a DNS-1123 label (lowercase letters, digits and \'-\', at most 63), e.g. "shop".');
    v.check(serviceAccount.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(serviceAccount), 'serviceAccount', serviceAccount,
      'must be a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\'), e.g. "orders".');
    const key = `${namespace}/${serviceAccount}`;
    const existing = this.roles.get(key);
    if (existing) return existing;
    const conditions = new CfnJson(this, `Conditions-${namespace}-${serviceAccount}`, {
      value: {
        [`${this.host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
        [`${this.host}:aud`]: STS_AUDIENCE,
      },
    });
    acknowledgeCfnUtilsProvider(this);
    const role = new iam.Role(this, `Role-${namespace}-${serviceAccount}`, {
      assumedBy: new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, { StringEquals: conditions }),
      description: `ServiceAccount ${key} (web identity of the cluster's service-account issuer)`,
      maxSessionDuration: Duration.hours(1),
      roleName,
    });
    acknowledge(role, CDK_DEFAULT_POLICY);
    this.roles.set(key, role);
    return role;
  }

  private acknowledgeFindings(): void {
    // CloudFormation's own EventBridge configuration (no notifications Lambda): object writes are events.
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    const guard = 'cdk-validator-cfnguard::';
    const nist = 'NIST.800.53.R5-';
    const logs = 'The bucket holds two public documents (the issuer\'s discovery document and public keys) that only the servers write; CloudFront serves them to STS. CloudTrail data events audit the writes better than a second log bucket.';
    const publicKeys = 'The objects are public keys and a discovery document, readable by anyone through CloudFront by design: SSE-KMS would protect nothing and would need CloudFront in the key policy.';
    const rebuilt = 'The servers re-publish both documents from the API server every 5 minutes when they differ: a lost or overwritten object comes back on its own, and the bucket is versioned.';
    acknowledge(this.bucket,
      { id: 'AwsSolutions-S1', reason: logs },
      { id: `${nist}S3BucketLoggingEnabled`, reason: logs },
      { id: `${guard}s3_bucket_logging_enabled_check`, reason: logs },
      { id: `${nist}S3DefaultEncryptionKMS`, reason: publicKeys },
      { id: `${guard}s3_bucket_default_encryption_kms_check`, reason: publicKeys },
      { id: `${nist}S3BucketReplicationEnabled`, reason: rebuilt },
      { id: `${guard}s3_bucket_object_lock_enabled_check`, reason: rebuilt });
    const noDomain = 'The issuer uses the distribution\'s own *.cloudfront.net name and certificate (no custom domain to own and renew): CloudFront then serves TLS 1.2+ ciphers to modern clients such as STS, over SNI.';
    acknowledge(this.distribution,
      { id: `${guard}cloudfront_custom_ssl_certificate_check`, reason: noDomain },
      { id: `${guard}cloudfront_sni_enabled_check`, reason: noDomain },
      { id: `${guard}cloudfront_security_policy_check`, reason: noDomain },
      { id: `${guard}cloudfront_access_logs_enabled_check`, reason: 'The distribution serves two public documents to STS; access logs would hold only STS fetches.' },
      { id: `${guard}cloudfront_default_root_object_configured_check`, reason: 'STS asks for two fixed paths (/.well-known/openid-configuration, /openid/v1/jwks); the root serves nothing (403 from the private bucket).' },
      { id: `${guard}cloudfront_origin_failover_enabled_check`, reason: 'STS caches the keys it fetched; a second origin would be a second copy of two small documents the servers re-publish every 5 minutes.' });
    acknowledge(this.distribution,
      { id: 'AwsSolutions-CFR1', reason: 'STS fetches the issuer\'s public keys from AWS regions worldwide: a geo restriction would break token verification.' },
      { id: 'AwsSolutions-CFR2', reason: 'Two static public documents (OIDC discovery, JWKS) behind a read-only GET/HEAD behaviour: a WAF has nothing to protect.' },
      { id: 'AwsSolutions-CFR3', reason: 'The distribution serves two public documents to STS; access logs would hold only STS fetches.' },
      { id: 'AwsSolutions-CFR4', reason: 'The default *.cloudfront.net certificate is used (an issuer needs no custom domain); STS connects with TLS 1.2 or later.' });
  }
}

/** aws-cdk-lib's deploy-time function behind CfnJson, one per stack. */
function acknowledgeCfnUtilsProvider(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild('AWSCDKCfnUtilsProviderCustomResourceProvider');
  if (!provider) return;
  const reason = 'aws-cdk-lib\'s deploy-time function behind CfnJson (it writes the web-identity trust conditions, whose keys name the issuer\'s host, a deploy-time value) runs only during deployments and calls no AWS API; aws-cdk-lib defines it without VPC settings.';
  acknowledge(provider,
    { id: 'NIST.800.53.R5-LambdaInsideVPC', reason },
    { id: 'cdk-validator-cfnguard::lambda_inside_vpc_check', reason });
}
