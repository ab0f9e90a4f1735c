import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct, IDependable } from 'constructs';
import { cdkPropValidator } from '../../../private/validate';
import { PropValidator } from '../../../workloads/private/validate';
import { IWorkloadIdentity, WorkloadIdentity } from '../../../workloads/workload-identity';
import { EksExternalSecrets } from '../eks-external-secrets';
import { EksClusterRef, EksWorkloadIdentity } from '../eks-workload-identity';

/** The workload identities bound on one EKS cluster, by `<namespace>/<service account>`. */
export class WorkloadIdentityBindings extends Construct {
  private readonly bound = new Map<string, { readonly grant: EksWorkloadIdentity; readonly declared?: WorkloadIdentity }>();

  constructor(scope: Construct, id: string, private readonly cluster: EksClusterRef) {
    super(scope, id);
  }

  /** The identity's role and association, created once; a second, different WorkloadIdentity of the same name is refused. */
  public bind(identity: IWorkloadIdentity): EksWorkloadIdentity {
    const v = cdkPropValidator(this.node.scope!, 'EksPlatformCluster');
    if (!identity || typeof identity.namespace !== 'string' || typeof identity.serviceAccountName !== 'string') {
      v.fail('identity', identity, 'must be a WorkloadIdentity or { namespace, serviceAccountName }.');
    }
    const key = `${identity.namespace}/${identity.serviceAccountName}`;
    const declared = WorkloadIdentity.isWorkloadIdentity(identity) ? identity : undefined;
    const found = this.bound.get(key);
    if (found) {
      if (declared && found.declared && found.declared !== declared) {
        v.fail('identity', key, `is declared twice, by ${found.declared.node.path} and by ${declared.node.path}: two ServiceAccounts `
          + 'cannot share a namespace and name (their releases would fight over it). Use one WorkloadIdentity for both workloads, or rename one.');
      }
      if (declared && !found.declared) this.bound.set(key, { ...found, declared });
      return found.grant;
    }
    const grant = new EksWorkloadIdentity(this, `${identity.namespace}.${identity.serviceAccountName}`, { cluster: this.cluster, identity });
    this.bound.set(key, { grant, declared });
    return grant;
  }
}

/**
 * Prepares charts for delivery onto an EKS platform cluster: binds every WorkloadIdentity they declare, and
 * with namespace-scoped secrets moves every ExternalSecret that names the platform store to its namespace's
 * store (refusing one that names a secret outside the namespace's prefix). Returns what the releases wait for.
 */
export function prepareCharts(charts: Chart[], bindings: WorkloadIdentityBindings, secrets: EksExternalSecrets | undefined): IDependable[] {
  const deps: IDependable[] = [];
  for (const chart of charts) {
    for (const c of chart.node.findAll()) {
      if (WorkloadIdentity.isWorkloadIdentity(c)) {
        deps.push(bindings.bind(c).association);
      } else if (secrets?.namespaceScoped && c instanceof ApiObject && c.kind === 'ExternalSecret') {
        const store = scopeExternalSecret(chart, c, secrets);
        if (store) deps.push(store);
      }
    }
  }
  return [...new Set(deps)];
}

interface ExternalSecretJson {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly secretStoreRef?: { readonly kind?: string; readonly name?: string };
    readonly data?: Array<{ readonly remoteRef?: { readonly key?: string } }>;
    readonly dataFrom?: Array<{ readonly extract?: { readonly key?: string }; readonly find?: { readonly path?: string } }>;
  };
}

/** Points an ExternalSecret of the platform store at its namespace's store; returns that store's manifest. */
function scopeExternalSecret(chart: Chart, obj: ApiObject, secrets: EksExternalSecrets): IDependable | undefined {
  const json = obj.toJson() as ExternalSecretJson;
  const ref = json.spec?.secretStoreRef;
  if (ref?.kind !== 'ClusterSecretStore' || ref.name !== secrets.storeName) return undefined;
  const namespace = json.metadata?.namespace ?? chart.namespace ?? 'default';
  const prefix = secrets.namespacePrefix(namespace);
  const keys = [
    ...(json.spec?.data ?? []).map((d, i) => ({ prop: `data[${i}].remoteRef.key`, key: d.remoteRef?.key })),
    ...(json.spec?.dataFrom ?? []).map((d, i) => d.find
      ? { prop: `dataFrom[${i}].find.path`, key: d.find.path }
      : { prop: `dataFrom[${i}].extract.key`, key: d.extract?.key }),
  ];
  const v = new PropValidator(obj, `ExternalSecret(${namespace}/${json.metadata?.name})`);
  for (const { prop, key } of keys) {
    v.check(typeof key === 'string' && (prop.includes('.find.') ? key.startsWith(prefix) : secrets.namespaceMayRead(namespace, key)), `spec.${prop}`, key,
      `must name a secret of namespace "${namespace}" ("${prefix}..."): on this cluster a namespace reads only its own secrets `
      + `(its store's IAM role is scoped to that prefix). Name the secret "${prefix}<name>", run the workload in the namespace whose prefix holds it, `
      + 'or let the namespace read that one secret with cluster.externalSecrets.allowSecret(namespace, name).');
  }
  const store = secrets.namespaceStore(namespace);
  obj.addJsonPatch(JsonPatch.replace('/spec/secretStoreRef/name', store.storeName));
  return store.manifest;
}
