import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { acknowledge, CDK_DEFAULT_POLICY } from '../../../private/nag';
import { cdkPropValidator } from '../../../private/validate';
import type { ExternalSecretStore } from '../../../workloads';
import type { AddOnHelmChartProps } from '../../add-on-helm-chart';
import { EXTERNAL_SECRETS_CHART } from '../../eks/eks-external-secrets';

/** Options of the External Secrets Operator on a k3s or kubeadm cluster with workload identity. */
export interface SelfManagedExternalSecretsOptions {
  /**
   * Prefix of the Secrets Manager names the platform's secrets live under. A namespace reads only
   * `<prefix><namespace>/...` (e.g. `acme/shop/db` for namespace `shop`).
   * @default '<cluster name>/'
   */
  readonly secretNamePrefix?: string;
  /**
   * Name that `SecretRef.fromAwsSecretsManager` uses for the store; each namespace's store is `<storeName>-<namespace>`.
   * @default 'aws-secrets-manager'
   */
  readonly storeName?: string;
}

/** What the External Secrets part needs from the cluster. */
export interface SelfManagedExternalSecretsProps extends SelfManagedExternalSecretsOptions {
  readonly clusterName: string;
  /** A role of a ServiceAccount, trusted through the cluster's issuer. */
  readonly roleFor: (namespace: string, serviceAccount: string) => iam.Role;
  /** A fixed role name, unique per stack and cluster, from `suffix`. */
  readonly roleName: (suffix: string) => string;
  /** The role's ARN as plain text (for a manifest file). */
  readonly arnOf: (role: iam.Role) => string;
  /** Installs a chart through the cluster's Helm controller. */
  readonly addHelmChart: (id: string, chart: AddOnHelmChartProps) => void;
  /** Delivers charts like workloads. */
  readonly addWorkloads: (id: string, charts: Chart[]) => void;
}

const NAMESPACE = 'external-secrets';
const SERVICE_ACCOUNT = 'external-secrets';
const READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];

interface ExternalSecretJson {
  readonly metadata?: { readonly namespace?: string };
  readonly spec?: {
    readonly secretStoreRef?: { readonly kind?: string; readonly name?: string };
    readonly data?: Array<{ readonly remoteRef?: { readonly key?: string } }>;
    readonly dataFrom?: Array<{ readonly extract?: { readonly key?: string } }>;
  };
}

/**
 * The External Secrets Operator (the chart EKS pins, installed by the cluster's Helm controller) with its own
 * web-identity role, and one ClusterSecretStore per namespace that uses `SecretRef.fromAwsSecretsManager`:
 * `<storeName>-<namespace>`, usable from that namespace only (`spec.conditions`), through a role that may read
 * only `<prefix><namespace>/*` and that only the operator's role may assume. Delivering a chart points its
 * ExternalSecrets at their namespace's store and refuses one that names another namespace's secret.
 */
export class SelfManagedExternalSecrets extends Construct {
  /** The operator's role. */
  public readonly operatorRole: iam.Role;
  /** The store name workloads use (`ClusterTraits.externalSecretStore`). */
  public readonly store: ExternalSecretStore;
  private readonly props: SelfManagedExternalSecretsProps;
  private readonly namespaces = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, props: SelfManagedExternalSecretsProps) {
    super(scope, id);
    this.props = props;
    const prefix = props.secretNamePrefix ?? `${props.clusterName}/`;
    const v = cdkPropValidator(this, 'SelfManagedExternalSecrets');
    v.check(/^[A-Za-z0-9/_+=.@-]{1,200}$/.test(prefix), 'externalSecrets.secretNamePrefix', prefix,
      'must be 1-200 characters of letters, digits and /_+=.@- (a Secrets Manager name prefix such as "acme/"), without wildcards.');
    const storeName = props.storeName ?? 'aws-secrets-manager';
    v.check(/^[a-z0-9]([-a-z0-9]{0,180}[a-z0-9])?$/.test(storeName), 'externalSecrets.storeName', storeName, 'must be a DNS label such as "aws-secrets-manager".');
    this.store = { name: storeName, secretNamePrefix: prefix };
    this.operatorRole = props.roleFor(NAMESPACE, SERVICE_ACCOUNT);
    const c = EXTERNAL_SECRETS_CHART;
    props.addHelmChart('external-secrets', {
      repository: c.repository,
      chart: c.chart,
      version: c.version,
      namespace: NAMESPACE,
      release: 'external-secrets',
      values: {
        installCRDs: true,
        image: { tag: c.appVersion },
        webhook: { image: { tag: c.appVersion } },
        certController: { image: { tag: c.appVersion } },
        serviceAccount: { create: true, name: SERVICE_ACCOUNT, annotations: { 'eks.amazonaws.com/role-arn': props.arnOf(this.operatorRole) } },
        // Namespace editors must not create stores that point at another namespace's role.
        rbac: { aggregateToEdit: false },
      },
    });
  }

  /**
   * Points every ExternalSecret of `charts` that names the platform store at its namespace's store (created on
   * first use) and refuses a key outside the namespace's prefix. @internal
   */
  public _prepare(charts: readonly Chart[]): void {
    for (const chart of charts) {
      for (const obj of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'ExternalSecret')) {
        const json = obj.toJson() as ExternalSecretJson;
        const ref = json.spec?.secretStoreRef;
        if (ref?.kind !== 'ClusterSecretStore' || ref.name !== this.store.name) continue;
        const namespace = json.metadata?.namespace ?? chart.namespace ?? 'default';
        const allowed = `${this.store.secretNamePrefix}${namespace}/`;
        const keys = [...(json.spec?.data ?? []).map(d => d.remoteRef?.key), ...(json.spec?.dataFrom ?? []).map(d => d.extract?.key)];
        for (const key of keys) {
          cdkPropValidator(obj, 'SecretRef.fromAwsSecretsManager').check(typeof key === 'string' && key.startsWith(allowed), 'remoteName', key,
            `is outside namespace "${namespace}": its workloads may read only secrets named "${allowed}..." (each namespace reads its own secrets). Rename the secret, or deliver the workload into the namespace that owns it.`);
        }
        this.namespaceStore(namespace);
        obj.addJsonPatch(JsonPatch.replace('/spec/secretStoreRef/name', `${this.store.name}-${namespace}`));
      }
    }
  }

  /** The role and ClusterSecretStore of one namespace, delivered once. */
  private namespaceStore(namespace: string): void {
    if (this.namespaces.has(namespace)) return;
    const stack = Stack.of(this);
    const pattern = `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${this.store.secretNamePrefix}${namespace}/*`;
    const role = new iam.Role(this, `Namespace-${namespace}`, {
      assumedBy: new iam.ArnPrincipal(this.operatorRole.roleArn),
      roleName: this.props.roleName(`eso-${namespace}`),
      description: `External Secrets of namespace ${namespace}: reads ${this.store.secretNamePrefix}${namespace}/* only`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: READ, resources: [pattern] }));
    this.operatorRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [role.roleArn] }));
    acknowledge(role, CDK_DEFAULT_POLICY, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${stack.region}:${stack.account}:secret:${this.store.secretNamePrefix}${namespace}/*]`,
      reason: 'The namespace\'s store reads only the secrets under the namespace\'s prefix (read actions only); Secrets Manager ARNs end in a random suffix, so a prefix needs a wildcard.',
    });
    this.namespaces.set(namespace, role);
    const chart = new Chart(new App(), `secret-store-${namespace}`);
    new ApiObject(chart, 'Store', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name: `${this.store.name}-${namespace}`, labels: { 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' } },
      spec: {
        conditions: [{ namespaces: [namespace] }],
        // The operator's web identity assumes the namespace's role; the region is explicit (pods have no instance metadata).
        provider: { aws: { service: 'SecretsManager', region: stack.region, role: this.props.arnOf(role) } },
      },
    });
    this.props.addWorkloads(`secret-store-${namespace}`, [chart]);
  }
}
