import { createHash } from 'crypto';
import * as path from 'path';
import { CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { SelfManagedExternalSecrets, SelfManagedExternalSecretsOptions } from './external-secrets';
import { podIdentityWebhookChart, ROLE_ARN_ANNOTATION } from './pod-identity-webhook';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER, ServiceAccountIssuer } from './service-account-issuer';
import { cdkPropValidator } from '../../../private/validate';
import { IWorkloadIdentity, WorkloadIdentity } from '../../../workloads/workload-identity';
import type { IPlatformCluster } from '../../platform-cluster';
import type { IWorkloadIdentityGrant } from '../../workload-identity';

const SCRIPTS = path.join(__dirname, 'scripts');

/**
 * Workload identity on a k3s or kubeadm cluster (`workloadIdentity: {}`): pods get AWS credentials through
 * their ServiceAccount's IAM role, the way self-managed Kubernetes on AWS does it (IRSA).
 */
export interface SelfManagedWorkloadIdentityOptions {
  /**
   * Accept, next to the new public issuer, the issuer the API servers signed with before (tokens issued before
   * the change stay valid until they expire). Change it only if your servers used another issuer.
   * @default 'https://kubernetes.default.svc.cluster.local' (the default of k3s and kubeadm)
   */
  readonly previousIssuer?: string;
  /**
   * Install the External Secrets Operator (through the cluster's Helm controller) with one ClusterSecretStore
   * per namespace that uses `SecretRef.fromAwsSecretsManager`, each reading only `<prefix><namespace>/...`.
   * @default - not installed
   */
  readonly externalSecrets?: SelfManagedExternalSecretsOptions;
}

/** Props of {@link SelfManagedWorkloadIdentity}. */
export interface SelfManagedWorkloadIdentityProps extends SelfManagedWorkloadIdentityOptions {
  /** The cluster's name. */
  readonly clusterName: string;
  /** k3s or kubeadm: where the API server flags go. */
  readonly mode: 'k3s' | 'kubeadm';
  /** The servers' role: it publishes the issuer documents and reads the identity tool. */
  readonly serverRole: iam.IRole;
  /** The cluster: it delivers the webhook (and the External Secrets Operator and stores). */
  readonly cluster: Pick<IPlatformCluster, 'addWorkloads' | 'addHelmChart'>;
}

/**
 * The AWS side and the boot-script part of a self-managed cluster's workload identity: the public
 * service-account issuer ({@link ServiceAccountIssuer}: bucket, CloudFront, IAM OIDC provider), the servers'
 * script fragment (API server flags, the `cdk-k8s-platform-identity` timer), the tool the timer runs (an S3
 * asset), and the pod identity webhook's objects. {@link roleFor} makes the IAM role of one ServiceAccount.
 */
export class SelfManagedWorkloadIdentity extends Construct {
  /** The public service-account issuer. */
  public readonly issuer: ServiceAccountIssuer;
  /** The tool the servers' timer runs (publish the documents, renew the webhook certificate). */
  public readonly tool: s3assets.Asset;
  /** The issuer the API servers keep accepting (the previous one). */
  public readonly previousIssuer: string;
  /** The External Secrets Operator and its stores, when `externalSecrets` is set. */
  public readonly externalSecrets?: SelfManagedExternalSecrets;
  /** The servers' boot-script fragments (rendered after common.sh, before the distribution's scripts). @internal */
  public readonly _scripts: string[];
  private readonly mode: 'k3s' | 'kubeadm';
  private readonly clusterName: string;
  private readonly grants = new Map<string, IWorkloadIdentityGrant>();
  private readonly delivered = new Set<Chart>();

  constructor(scope: Construct, id: string, props: SelfManagedWorkloadIdentityProps) {
    super(scope, id);
    this.mode = props.mode;
    this._scripts = [`workload-identity-${props.mode}.sh`, 'workload-identity-timer.sh'].map(f => path.join(SCRIPTS, f));
    this.clusterName = props.clusterName;
    this.previousIssuer = props.previousIssuer ?? DEFAULT_SERVICE_ACCOUNT_ISSUER;
    this.issuer = new ServiceAccountIssuer(this, 'Issuer', { clusterName: props.clusterName });
    this.issuer.grantPublish(props.serverRole);
    this.tool = new s3assets.Asset(this, 'Tool', { path: path.join(SCRIPTS, 'cdk-k8s-platform-identity.sh') });
    props.serverRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'], resources: [this.tool.bucket.arnForObjects(this.tool.s3ObjectKey)],
    }));
    props.cluster.addWorkloads('workload-identity', [podIdentityWebhookChart()]);
    if (props.externalSecrets) {
      this.externalSecrets = new SelfManagedExternalSecrets(this, 'ExternalSecrets', {
        ...props.externalSecrets,
        clusterName: props.clusterName,
        roleFor: (ns, sa) => this.roleFor(ns, sa),
        roleName: suffix => this.roleName('aws', suffix),
        arnOf: role => this.roleArn(role),
        addHelmChart: (chartId, chart) => props.cluster.addHelmChart(chartId, chart),
        addWorkloads: (deliveryId, charts) => props.cluster.addWorkloads(deliveryId, charts),
      });
    }
    new CfnOutput(this, 'IssuerUrl', { description: `Service-account issuer of ${props.clusterName} (IAM OIDC provider, audience sts.amazonaws.com)`, value: this.issuer.issuerUrl });
  }

  /** The values of the fragment's placeholders. @internal */
  public _scriptValues(): Record<string, string> {
    return {
      IDENTITY_MODE: this.mode,
      ISSUER_URL: this.issuer.issuerUrl,
      JWKS_URI: this.issuer.jwksUri,
      PREVIOUS_ISSUER: this.previousIssuer,
      ISSUER_BUCKET: this.issuer.bucket.bucketName,
      IDENTITY_TOOL_URL: this.tool.s3ObjectUrl,
    };
  }

  /**
   * The IAM role of ServiceAccount `namespace/serviceAccount` (one per pair), trusted through the cluster's
   * OIDC provider with `sub` and `aud` conditions. Annotate the ServiceAccount with
   * {@link serviceAccountAnnotations} so the webhook gives its pods the role.
   */
  public roleFor(namespace: string, serviceAccount: string): iam.Role {
    return this.issuer.roleFor(namespace, serviceAccount, this.roleName(namespace, serviceAccount));
  }

  /**
   * The identity's role as an `iam.IGrantable`; a {@link WorkloadIdentity} also gets the annotation
   * `eks.amazonaws.com/role-arn` on its ServiceAccount (`addWorkloads` binds the identities of its charts
   * before it writes their manifests). Any other ServiceAccount needs that annotation from you
   * ({@link serviceAccountAnnotations}).
   */
  public bind(identity: IWorkloadIdentity): IWorkloadIdentityGrant {
    const key = `${identity.namespace}/${identity.serviceAccountName}`;
    const existing = this.grants.get(key);
    if (existing) return existing;
    const role = this.roleFor(identity.namespace, identity.serviceAccountName);
    if (WorkloadIdentity.isWorkloadIdentity(identity)) {
      const chart = Chart.of(identity);
      const v = cdkPropValidator(this, 'SelfManagedWorkloadIdentity');
      v.check(!this.delivered.has(chart), 'identity', key,
        `was created after its chart "${chart.node.id}" was passed to addWorkloads, so the delivered manifest has no ServiceAccount for it: `
        + 'create the identity before cluster.addWorkloads(...) delivers its chart.');
      identity.serviceAccount.metadata.addAnnotation(ROLE_ARN_ANNOTATION, this.roleArn(role));
    }
    const grant = new WorkloadIdentityRoleGrant(this, `Grant-${identity.namespace}-${identity.serviceAccountName}`, role, identity);
    this.grants.set(key, grant);
    return grant;
  }

  /**
   * Binds every {@link WorkloadIdentity} of `charts` (so their ServiceAccounts carry the role annotation) and
   * records the charts as delivered: `addWorkloads` calls it before it writes their manifests. @internal
   */
  public _prepare(charts: readonly Chart[]): void {
    for (const chart of charts) {
      chart.node.findAll().filter(WorkloadIdentity.isWorkloadIdentity).forEach(identity => this.bind(identity));
    }
    this.externalSecrets?._prepare(charts);
    charts.forEach(c => this.delivered.add(c));
  }

  /**
   * The ARN of a {@link roleFor} role as plain text, for an add-on chart's values (a file on the servers), e.g. a
   * ServiceAccount's `eks.amazonaws.com/role-arn` annotation. Fails at synth, naming `env`, when the stack's
   * account or region is unknown.
   */
  public roleArnOf(role: iam.IRole): string {
    return this.roleArn(role);
  }

  /**
   * The role's ARN as plain text, for a manifest file (a file asset cannot hold a CloudFormation reference):
   * the role has a fixed name, and the stack's account and region must be known at synth.
   */
  private roleArn(role: iam.IRole): string {
    const stack = Stack.of(this);
    const v = cdkPropValidator(this, 'SelfManagedWorkloadIdentity');
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      const shown = (x: string) => (Token.isUnresolved(x) ? '(unknown at synth)' : x);
      v.fail(`${stack.stackName}: env`, `account ${shown(stack.account)}, region ${shown(stack.region)}`,
        'must be concrete for workload identity on k3s and kubeadm: the ServiceAccount annotation names the role ARN in a manifest file, which cannot hold a CloudFormation reference. '
        + 'Give the stack env: { account: \'123456789012\', region: \'eu-west-1\' } (or CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION).');
    }
    const partition = RegionInfo.get(stack.region).partition ?? 'aws';
    return `arn:${partition}:iam::${stack.account}:role/${(role.node.defaultChild as iam.CfnRole).roleName}`;
  }

  /** A fixed role name, unique per stack, cluster and ServiceAccount, at most 64 characters. */
  private roleName(namespace: string, serviceAccount: string): string {
    const stack = Stack.of(this);
    const hash = createHash('sha256').update([stack.stackName, this.clusterName, namespace, serviceAccount].join('/')).digest('hex').slice(0, 8);
    return `${`${this.clusterName}-${namespace}-${serviceAccount}`.slice(0, 55)}-${hash}`;
  }

  /** The annotations of a ServiceAccount whose pods assume `role`. */
  public serviceAccountAnnotations(role: iam.IRole): Record<string, string> {
    return { [ROLE_ARN_ANNOTATION]: role.roleArn };
  }
}

/** A bound identity: its role, as the principal resources grant to. */
class WorkloadIdentityRoleGrant extends Construct implements IWorkloadIdentityGrant {
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly namespace: string;
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, public readonly role: iam.IRole, identity: IWorkloadIdentity) {
    super(scope, id);
    this.grantPrincipal = role.grantPrincipal;
    this.namespace = identity.namespace;
    this.serviceAccountName = identity.serviceAccountName;
  }
}
