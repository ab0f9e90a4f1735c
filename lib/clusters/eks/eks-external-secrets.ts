import { Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IDependable } from 'constructs';
import { PodIdentity } from './private/pod-identity';
import { PinnedChart } from './versions';
import { acknowledge, CDK_DEFAULT_POLICY } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';
import { checkMember } from '../../workloads/private/fixed-set';

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

/** Which secrets a namespace's ExternalSecrets may read. */
export enum SecretIsolation {
  /**
   * Each namespace reads only the secrets named `<prefix><namespace>/...`: one ClusterSecretStore
   * `<storeName>-<namespace>` per namespace that uses `SecretRef.fromAwsSecretsManager`, usable from that
   * namespace only (`spec.conditions`), through an IAM role that may read only that prefix. The operator's own
   * role may only assume these roles; `addWorkloads` points each ExternalSecret at its namespace's store and
   * refuses one naming another namespace's secret.
   */
  NAMESPACE = 'namespace',
  /**
   * One ClusterSecretStore `<storeName>` that every namespace may use, reading every secret under the prefix
   * (the behaviour before namespace isolation; keep it only while moving secrets to per-namespace names).
   */
  PLATFORM = 'platform',
}

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
  /**
   * Which secrets a namespace may read: its own (`<prefix><namespace>/...`) or every secret under the prefix.
   * @default SecretIsolation.NAMESPACE
   */
  readonly isolation?: SecretIsolation;
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
   * Which secrets a namespace may read.
   * @default SecretIsolation.NAMESPACE
   */
  readonly isolation?: SecretIsolation;
  /**
   * What the operator waits for (node groups, Pod Identity agent, CoreDNS, the load balancer controller's webhooks).
   * @default - nothing
   */
  readonly dependsOn?: IDependable[];
}

const NAMESPACE = 'external-secrets';
const SERVICE_ACCOUNT = 'external-secrets';
const SECRET_NAME_PREFIX = /^[A-Za-z0-9/_+=.@-]{1,256}$/;

/** The store of one namespace (see {@link SecretIsolation.NAMESPACE}). */
export interface NamespaceSecretStore {
  /** The namespace. */
  readonly namespace: string;
  /** Name of its ClusterSecretStore (`<storeName>-<namespace>`). */
  readonly storeName: string;
  /** Prefix of the secret names it may read (`<prefix><namespace>/`). */
  readonly secretNamePrefix: string;
  /** The IAM role the operator assumes for it. */
  readonly role: iam.Role;
  /** The ClusterSecretStore object as applied. */
  readonly storeObject: Record<string, unknown>;
  /** Its manifest (applied after the operator's chart). */
  readonly manifest: eks.KubernetesManifest;
}

/**
 * The External Secrets Operator (Helm chart pinned in {@link EXTERNAL_SECRETS_CHART}) with an EKS Pod
 * Identity role, and ClusterSecretStores for AWS Secrets Manager in the stack's region: by default one per
 * namespace, each through a role that reads only that namespace's secrets (`<prefix><namespace>/...`, see
 * {@link SecretIsolation}). `ExternalSecret`s (from `SecretRef.fromAwsSecretsManager`) are then filled at run
 * time: secret values never pass through the CDK app, the templates or the chart assets. The chart's
 * `aggregate-to-edit` role is off with namespace isolation, so a namespace's editors cannot create
 * SecretStores that point at another namespace's role.
 */
export class EksExternalSecrets extends Construct {
  /** The operator's Helm release. */
  public readonly chart: eks.HelmChart;
  /** The operator's Pod Identity (role and association). */
  public readonly identity: PodIdentity;
  /** The platform-wide ClusterSecretStore manifest (`SecretIsolation.PLATFORM` only). */
  public readonly store?: eks.KubernetesManifest;
  /** The platform-wide ClusterSecretStore object as applied (`SecretIsolation.PLATFORM` only). */
  public readonly storeObject?: Record<string, unknown>;
  /** The ARN pattern of all the secrets the stores may read. */
  public readonly secretArnPattern: string;
  /** Name of the platform store (the default store of `SecretRef.fromAwsSecretsManager`). */
  public readonly storeName: string;
  /** Prefix of the secret names the operator may read. */
  public readonly secretNamePrefix: string;
  /** Which secrets a namespace may read. */
  public readonly isolation: SecretIsolation;
  private readonly cluster: eks.Cluster;
  private readonly stores = new Map<string, NamespaceSecretStore>();
  private readonly shared = new Map<string, Set<string>>();

  constructor(scope: Construct, id: string, props: EksExternalSecretsProps) {
    super(scope, id);
    const v = cdkPropValidator(this, 'EksExternalSecrets');
    const prefix = props.secretNamePrefix;
    if (!Token.isUnresolved(prefix)) {
      v.check(typeof prefix === 'string' && SECRET_NAME_PREFIX.test(prefix) && !prefix.includes('*'), 'secretNamePrefix', prefix,
        'must be 1-256 characters of letters, digits and /_+=.@- (a Secrets Manager name prefix such as "acme/"), without wildcards.');
    }
    const storeName = props.storeName ?? DEFAULT_CLUSTER_SECRET_STORE;
    v.check(typeof storeName === 'string' && storeName.length <= 189 && DNS_SUBDOMAIN.test(storeName),
      'storeName', storeName, 'must be a DNS-1123 subdomain of at most 189 characters such as "aws-secrets-manager".');
    this.isolation = checkMember(v, 'isolation', props.isolation, 'SecretIsolation', SecretIsolation, SecretIsolation.NAMESPACE);

    this.cluster = props.cluster;
    this.storeName = storeName;
    this.secretNamePrefix = prefix;
    this.secretArnPattern = secretArns(prefix);
    const platformWide = this.isolation === SecretIsolation.PLATFORM;
    this.identity = new PodIdentity(this, 'Identity', {
      cluster: props.cluster,
      namespace: NAMESPACE,
      serviceAccount: SERVICE_ACCOUNT,
      statements: platformWide ? [readSecrets(this.secretArnPattern)] : undefined,
    });
    if (platformWide) acknowledgeSecretPrefix(this.identity.role, prefix);

    this.chart = this.installChart(props.cluster, platformWide);
    for (const d of props.dependsOn ?? []) this.chart.node.addDependency(d);

    if (platformWide) {
      this.storeObject = storeObject(storeName, Stack.of(this).region);
      this.store = this.applyStore('Store', this.storeObject);
    }
  }

  /** True when each namespace reads only its own secrets ({@link SecretIsolation.NAMESPACE}). */
  public get namespaceScoped(): boolean {
    return this.isolation === SecretIsolation.NAMESPACE;
  }

  /** The prefix of the secret names `namespace` may read: `<prefix><namespace>/`. */
  public namespacePrefix(namespace: string): string {
    return `${this.secretNamePrefix}${namespace}/`;
  }

  /**
   * The ClusterSecretStore of one namespace and its role, created on the first call (`addWorkloads` calls it
   * for every namespace whose ExternalSecrets name the platform store). With `SecretIsolation.PLATFORM`, refused.
   */
  public namespaceStore(namespace: string): NamespaceSecretStore {
    const found = this.stores.get(namespace);
    if (found) return found;
    const v = cdkPropValidator(this, 'EksExternalSecrets');
    v.check(this.namespaceScoped, 'isolation', this.isolation, 'is not SecretIsolation.NAMESPACE: there are no per-namespace stores; use the platform store.');
    v.dnsLabel('namespace', namespace);
    const scope = new Construct(this, `Namespace-${namespace}`);
    const secretNamePrefix = this.namespacePrefix(namespace);
    const role = new iam.Role(scope, 'Role', {
      assumedBy: new iam.ArnPrincipal(this.identity.role.roleArn),
      description: `External Secrets store of namespace ${namespace}: reads the secrets ${secretNamePrefix}* only`,
      maxSessionDuration: Duration.hours(1),
    });
    role.addToPrincipalPolicy(readSecrets(secretArns(secretNamePrefix)));
    role.grantAssumeRole(this.identity.role);
    acknowledge(role, CDK_DEFAULT_POLICY);
    acknowledgeSecretPrefix(role, secretNamePrefix);
    acknowledge(this.identity.role, CDK_DEFAULT_POLICY);
    const storeName = `${this.storeName}-${namespace}`;
    const object = storeObject(storeName, Stack.of(this).region, { role: role.roleArn, namespace });
    const store: NamespaceSecretStore = { namespace, storeName, secretNamePrefix, role, storeObject: object, manifest: this.applyStore('Store', object, scope) };
    store.manifest.node.addDependency(role);
    this.stores.set(namespace, store);
    return store;
  }

  /**
   * Lets `namespace` read one secret outside its prefix, by its exact name: an explicit, reviewable exception
   * (a secret shared by several namespaces, or one named before namespace isolation, such as an add-on's). The
   * namespace's role may read that secret only (`<name>-??????`, Secrets Manager's random suffix). With
   * `SecretIsolation.PLATFORM` nothing is needed: every namespace reads the whole prefix.
   */
  public allowSecret(namespace: string, secretName: string): void {
    if (!this.namespaceScoped) return;
    const v = cdkPropValidator(this, 'EksExternalSecrets');
    v.check(typeof secretName === 'string' && SECRET_NAME.test(secretName), 'allowSecret(secretName)', secretName,
      'must be the exact name of a Secrets Manager secret (letters, digits and /_+=.@-, no wildcard, no ARN).');
    const names = this.shared.get(namespace) ?? new Set<string>();
    if (names.has(secretName)) return;
    const store = this.namespaceStore(namespace);
    names.add(secretName);
    this.shared.set(namespace, names);
    store.role.addToPrincipalPolicy(readSecrets(secretArns(secretName, '-??????')));
    acknowledge(store.role, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${secretName}-??????]`,
      reason: 'One secret by its exact name: the six ? stand for the random suffix Secrets Manager appends to every secret ARN.',
    });
  }

  /** Whether `namespace` may read the secret `secretName` (a name or an ARN): under its prefix, or allowed by name. */
  public namespaceMayRead(namespace: string, secretName: string): boolean {
    const name = secretName.replace(/^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:/, '');
    if (name.startsWith(this.namespacePrefix(namespace))) return true;
    const arn = name !== secretName;
    return [...this.shared.get(namespace) ?? []].some(s => name === s || (arn && name.startsWith(`${s}-`) && name.length === s.length + 7));
  }

  /** The namespace stores created so far. */
  public get namespaceStores(): NamespaceSecretStore[] {
    return [...this.stores.values()];
  }

  private installChart(cluster: eks.Cluster, platformWide: boolean): eks.HelmChart {
    const c = EXTERNAL_SECRETS_CHART;
    const chart = new eks.HelmChart(this, 'Chart', {
      cluster,
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
        // Namespace editors must not create SecretStores naming another namespace's role.
        ...(platformWide ? {} : { rbac: { aggregateToEdit: false } }),
      },
    });
    chart.node.addDependency(this.identity);
    return chart;
  }

  private applyStore(id: string, object: Record<string, unknown>, scope: Construct = this): eks.KubernetesManifest {
    const manifest = new eks.KubernetesManifest(scope, id, { cluster: this.cluster, manifest: [object], overwrite: true });
    manifest.node.addDependency(this.chart);
    return manifest;
  }
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function secretArns(prefix: string, wildcard = '*'): string {
  return `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${prefix}${wildcard}`;
}

function readSecrets(arnPattern: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [arnPattern] });
}

function acknowledgeSecretPrefix(role: iam.Role, prefix: string): void {
  acknowledge(role, {
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}*]`,
    reason: 'The External Secrets Operator reads only the secrets under the name prefix of its store (read actions only); Secrets Manager ARNs end in a random suffix, so a prefix needs a wildcard.',
  });
}

/** A ClusterSecretStore for Secrets Manager; with `scoped`, through a role and for one namespace only. */
function storeObject(name: string, region: string, scoped?: { role: string; namespace: string }): Record<string, unknown> {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' } },
    spec: {
      // No auth block: the operator uses its Pod Identity credentials (and assumes the namespace's role); the
      // region is explicit because pods cannot reach the instance metadata (hop limit 1).
      provider: { aws: { service: 'SecretsManager', region, ...(scoped ? { role: scoped.role } : {}) } },
      ...(scoped ? { conditions: [{ namespaces: [scoped.namespace] }] } : {}),
    },
  };
}
