/**
 * A model of a live Kubernetes cluster for testing what the library's node scripts do to it over time: an
 * object store with the API server's rules that matter (namespaces must exist, kinds must be known, names
 * are unique, some fields are immutable) and the controllers that create objects on their own, as they
 * really behave (kube-controller-manager 1.33, k3s 1.33):
 *
 * - StatefulSet: Pods `<name>-<i>` (owned), one PersistentVolumeClaim per replica and claim template, named
 *   `<template>-<name>-<i>`, labelled with the template's labels and the selector; NO ownerReference under
 *   `persistentVolumeClaimRetentionPolicy.whenDeleted: Retain` (the default), owned by the StatefulSet under
 *   Delete; claims of scaled-away replicas deleted only under `whenScaled: Delete`.
 * - A bound PersistentVolume per claim with reclaim policy Delete (k3s's local-path): deleting the claim
 *   deletes the volume and its data (recorded in `dataLost`). A volume reserved for a claim (`claimRef` without
 *   uid) is bound instead when it matches; see `volumeController`.
 * - Service with a selector: an Endpoints object of the same name carrying a COPY of the Service's labels and
 *   no ownerReference (deleted by the endpoints controller when the Service goes), and an EndpointSlice
 *   with the labels, `kubernetes.io/service-name` and an ownerReference to the Service.
 * - Deployment → ReplicaSet `<name>-<template hash>` (owned) → Pods (owned); older ReplicaSets scaled to 0.
 * - Events for created Pods (no labels, no owner). Leases of the nodes in kube-node-lease.
 * - Garbage collector: objects whose owner is gone are deleted. Namespace deletion deletes everything in it.
 * - k3s only: the deploy controller watching the auto-deploy directory of each server: every `.yaml` file
 *   becomes an `Addon` in kube-system and its objects are applied with the objectset labels; objects that
 *   left a file are pruned (among the kinds the file ever had); deleting a file does nothing.
 *
 * Every deletion is recorded in `deletions` with its cause, so tests can assert what was never deleted.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as the model stores it. */
export interface ModelObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    deletionTimestamp?: string;
  };
  [field: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Who made an object. */
export type Origin = 'apply' | 'controller' | 'system';

interface Entry { obj: ModelObject; origin: Origin; manager?: string }

/** One deletion, and what caused it. */
export interface Deletion {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly origin: Origin;
  /** kubectl (a script asked), gc (owner gone), namespace (its namespace went), controller, k3s-deploy. */
  readonly cause: 'kubectl' | 'gc' | 'namespace' | 'controller' | 'k3s-deploy';
}

/** A resource type the API server serves. */
export interface ResourceType {
  readonly group: string;
  readonly versions: readonly string[];
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
}

const T = (group: string, versions: string[], kind: string, plural: string, namespaced: boolean, shortNames: string[] = []): ResourceType =>
  ({ group, versions, kind, plural, namespaced, shortNames });

/** Built-in kinds of Kubernetes 1.33. */
const BUILTIN: ResourceType[] = [
  T('', ['v1'], 'Namespace', 'namespaces', false, ['ns']),
  T('', ['v1'], 'Node', 'nodes', false, ['no']),
  T('', ['v1'], 'PersistentVolume', 'persistentvolumes', false, ['pv']),
  T('', ['v1'], 'ConfigMap', 'configmaps', true, ['cm']),
  T('', ['v1'], 'Secret', 'secrets', true),
  T('', ['v1'], 'Service', 'services', true, ['svc']),
  T('', ['v1'], 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  T('', ['v1'], 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  T('', ['v1'], 'Endpoints', 'endpoints', true, ['ep']),
  T('', ['v1'], 'Event', 'events', true, ['ev']),
  T('', ['v1'], 'Pod', 'pods', true, ['po']),
  T('', ['v1'], 'LimitRange', 'limitranges', true, ['limits']),
  T('', ['v1'], 'ResourceQuota', 'resourcequotas', true, ['quota']),
  T('apps', ['v1'], 'Deployment', 'deployments', true, ['deploy']),
  T('apps', ['v1'], 'StatefulSet', 'statefulsets', true, ['sts']),
  T('apps', ['v1'], 'ReplicaSet', 'replicasets', true, ['rs']),
  T('apps', ['v1'], 'DaemonSet', 'daemonsets', true, ['ds']),
  T('batch', ['v1'], 'Job', 'jobs', true),
  T('batch', ['v1'], 'CronJob', 'cronjobs', true, ['cj']),
  T('autoscaling', ['v2', 'v1'], 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa']),
  T('policy', ['v1'], 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb']),
  T('networking.k8s.io', ['v1'], 'NetworkPolicy', 'networkpolicies', true, ['netpol']),
  T('networking.k8s.io', ['v1'], 'Ingress', 'ingresses', true, ['ing']),
  T('networking.k8s.io', ['v1'], 'IngressClass', 'ingressclasses', false),
  T('discovery.k8s.io', ['v1'], 'EndpointSlice', 'endpointslices', true),
  T('coordination.k8s.io', ['v1'], 'Lease', 'leases', true),
  T('events.k8s.io', ['v1'], 'Event', 'events', true, ['ev']),
  T('rbac.authorization.k8s.io', ['v1'], 'Role', 'roles', true),
  T('rbac.authorization.k8s.io', ['v1'], 'RoleBinding', 'rolebindings', true),
  T('rbac.authorization.k8s.io', ['v1'], 'ClusterRole', 'clusterroles', false),
  T('rbac.authorization.k8s.io', ['v1'], 'ClusterRoleBinding', 'clusterrolebindings', false),
  T('storage.k8s.io', ['v1'], 'StorageClass', 'storageclasses', false, ['sc']),
  T('apiextensions.k8s.io', ['v1'], 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd']),
];

/** Traefik v3's CRDs: k3s packages Traefik, the kubeadm control plane installs its chart. */
const TRAEFIK_CRDS: ResourceType[] = [
  T('traefik.io', ['v1alpha1'], 'IngressRoute', 'ingressroutes', true),
  T('traefik.io', ['v1alpha1'], 'TraefikService', 'traefikservices', true),
  T('traefik.io', ['v1alpha1'], 'Middleware', 'middlewares', true),
  T('traefik.io', ['v1alpha1'], 'IngressRouteTCP', 'ingressroutetcps', true),
];

/** The Helm controller's CRD: k3s embeds the controller, the kubeadm control plane runs the same one (k3s-io/helm-controller). */
const HELM_CONTROLLER_CRDS: ResourceType[] = [
  T('helm.cattle.io', ['v1'], 'HelmChart', 'helmcharts', true),
];

/** CRDs of k3s alone (the deploy controller's Addon). */
const K3S_CRDS: ResourceType[] = [
  T('k3s.cattle.io', ['v1'], 'Addon', 'addons', true),
];

/** Options of a {@link ClusterModel}. */
export interface ClusterModelOptions {
  /** Both have Traefik's and the Helm controller's CRDs; k3s adds its Addon and the deploy controller. */
  readonly distribution: 'k3s' | 'kubeadm';
  /** Node names (instance ids) of the cluster. @default three nodes */
  readonly nodes?: string[];
}

const key = (kind: string, namespace: string | undefined, name: string) => `${kind}|${namespace ?? ''}|${name}`;
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const hash = (value: unknown, n = 10) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, n);

/** A model of a live cluster: see the file comment. */
export class ClusterModel {
  /** Every deletion so far. */
  public readonly deletions: Deletion[] = [];
  /** Claims whose volume (and data) was deleted with them. */
  public readonly dataLost: string[] = [];
  /** Every claim ever created: `namespace/name` → uid. */
  public readonly claimsCreated = new Map<string, string>();
  /** Auto-deploy directories the k3s deploy controller watches (one per server). */
  public readonly manifestDirs: string[] = [];
  public readonly types: ResourceType[];
  public readonly distribution: 'k3s' | 'kubeadm';
  private objects = new Map<string, Entry>();
  private uidSeq = 0;
  /** Claim uid → the PersistentVolume it is bound to (the claim's `spec.volumeName`). */
  private bindings = new Map<string, string>();
  private readonly deployedFiles = new Map<string, string>();

  constructor(options: ClusterModelOptions) {
    this.distribution = options.distribution;
    this.types = [...BUILTIN, ...TRAEFIK_CRDS, ...HELM_CONTROLLER_CRDS, ...(options.distribution === 'k3s' ? K3S_CRDS : [])];
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: '' } }, 'system');
    }
    for (const node of options.nodes ?? ['i-0server', 'i-0agent1', 'i-0agent2']) {
      this.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, uid: '' } }, 'system');
      this.put({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: node, namespace: 'kube-node-lease', uid: '' } }, 'system');
    }
    this.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system', uid: '' }, data: {} }, 'system');
  }

  // ------------------------------------------------------------------------------------------ queries

  /** The resource type an apiVersion and kind name, or undefined. */
  public typeOf(apiVersion: string, kind: string): ResourceType | undefined {
    const group = groupOf(apiVersion);
    const version = apiVersion.split('/').pop()!;
    return this.types.find(t => t.kind === kind && t.group === group && t.versions.includes(version));
  }

  /** The resource type of a kubectl type argument: `configmaps`, `cm`, `ConfigMap`, `Deployment.v1.apps`, `deployments.apps`. */
  public resolveType(arg: string): ResourceType | undefined {
    const [first, ...rest] = arg.split('.');
    const name = first.toLowerCase();
    const matchesName = (t: ResourceType) => t.plural === name || t.kind.toLowerCase() === name || (t.shortNames ?? []).includes(name);
    const candidates = this.types.filter(matchesName);
    if (rest.length === 0) return candidates.find(t => t.group === '') ?? candidates[0];
    // resource.version.group or resource.group
    const full = rest.join('.');
    return candidates.find(t => (t.versions.includes(rest[0]) && t.group === rest.slice(1).join('.')) || t.group === full);
  }

  /** All stored objects. */
  public all(): ModelObject[] {
    return [...this.objects.values()].map(e => e.obj);
  }

  /** Objects of a type, optionally in one namespace. */
  public list(type: ResourceType, namespace?: string): ModelObject[] {
    return [...this.objects.values()]
      .filter(e => e.obj.kind === type.kind && groupOf(e.obj.apiVersion) === type.group)
      .filter(e => namespace === undefined || !type.namespaced || e.obj.metadata.namespace === namespace)
      .map(e => e.obj)
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  /** One object, or undefined. */
  public get(kind: string, namespace: string | undefined, name: string): ModelObject | undefined {
    return this.objects.get(key(kind, namespace, name))?.obj;
  }

  /** Who made the object. */
  public originOf(obj: ModelObject): Origin | undefined {
    return this.objects.get(key(obj.kind, obj.metadata.namespace, obj.metadata.name))?.origin;
  }

  /** Objects created by an apply (a script's), as `kind|namespace|name`. */
  public applied(): string[] {
    return [...this.objects.entries()].filter(([, e]) => e.origin === 'apply').map(([k]) => k).sort();
  }

  /** PersistentVolumeClaims, as `namespace/name` → uid. */
  public claims(): Map<string, string> {
    return new Map(this.all().filter(o => o.kind === 'PersistentVolumeClaim').map(o => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.uid]));
  }

  // ---------------------------------------------------------------------------------------- mutations

  /**
   * Server-side apply of one object by `manager`: creates it or replaces its content (uid kept). Throws the
   * API server's error message when it would refuse.
   */
  public apply(input: Record<string, any>, manager: string, reconcile = true): 'created' | 'configured' | 'unchanged' { // eslint-disable-line @typescript-eslint/no-explicit-any
    const obj = JSON.parse(JSON.stringify(input)) as ModelObject;
    const { apiVersion, kind } = obj;
    const name = obj.metadata?.name;
    if (!apiVersion || !kind || !name) throw new Error('error: error validating data: apiVersion, kind and metadata.name are required');
    const type = this.typeOf(apiVersion, kind);
    if (!type) {
      throw new Error(`error: resource mapping not found for name: "${name}" namespace: "${obj.metadata.namespace ?? ''}" from "-": no matches for kind "${kind}" in version "${apiVersion}"\nensure CRDs are installed first`);
    }
    if (type.namespaced) {
      obj.metadata.namespace = obj.metadata.namespace ?? 'default';
      const ns = this.get('Namespace', undefined, obj.metadata.namespace);
      if (!ns) throw new Error(`Error from server (NotFound): namespaces "${obj.metadata.namespace}" not found`);
      if (ns.metadata.deletionTimestamp) {
        throw new Error(`Error from server (Forbidden): ${type.plural} "${name}" is forbidden: unable to create new content in namespace ${obj.metadata.namespace} because it is being terminated`);
      }
    } else {
      delete obj.metadata.namespace;
    }
    const k = key(kind, obj.metadata.namespace, name);
    const existing = this.objects.get(k);
    if (existing && groupOf(existing.obj.apiVersion) !== groupOf(apiVersion)) throw new Error(`conflicting kinds ${existing.obj.apiVersion} and ${apiVersion}`);
    if (existing) this.checkImmutable(existing.obj, obj);
    if (existing?.obj.metadata.deletionTimestamp) throw new Error(`Error from server (Conflict): object ${name} is being deleted`);
    obj.metadata.uid = existing?.obj.metadata.uid ?? this.newUid();
    if (existing?.obj.metadata.ownerReferences && !obj.metadata.ownerReferences) obj.metadata.ownerReferences = existing.obj.metadata.ownerReferences;
    const before = existing ? JSON.stringify(existing.obj) : undefined;
    this.objects.set(k, { obj, origin: existing?.origin === 'controller' || existing?.origin === 'system' ? existing.origin : 'apply', manager });
    if (reconcile) this.reconcile();
    return !existing ? 'created' : before === JSON.stringify(obj) ? 'unchanged' : 'configured';
  }

  /**
   * Deletes an object (Namespaces: marked terminating, emptied by the namespace controller). `orphan` (kubectl
   * `--cascade=orphan`) first removes the object from its dependents' ownerReferences, so they stay.
   */
  public delete(kind: string, namespace: string | undefined, name: string, cause: Deletion['cause'], orphan = false): boolean {
    const k = key(kind, namespace, name);
    const entry = this.objects.get(k);
    if (!entry) return false;
    if (orphan) {
      for (const o of this.all()) {
        const refs = o.metadata.ownerReferences?.filter(r => r.uid !== entry.obj.metadata.uid);
        if (refs && refs.length !== o.metadata.ownerReferences!.length) o.metadata.ownerReferences = refs.length > 0 ? refs : undefined;
      }
    }
    if (kind === 'Namespace') {
      entry.obj.metadata.deletionTimestamp = entry.obj.metadata.deletionTimestamp ?? 'now';
      this.record(entry, cause);
    } else {
      this.remove(k, cause);
    }
    this.reconcile();
    return true;
  }

  /** Deep copy of the whole store (an etcd snapshot). */
  public snapshot(): string {
    return JSON.stringify({ objects: [...this.objects.entries()], uidSeq: this.uidSeq, bindings: [...this.bindings] });
  }

  /** Restores an etcd snapshot (objects created since are gone: that is a restore, not a deletion). */
  public restore(snapshot: string): void {
    const s = JSON.parse(snapshot) as { objects: Array<[string, Entry]>; uidSeq: number; bindings: Array<[string, string]> };
    this.objects = new Map(s.objects);
    this.bindings = new Map(s.bindings);
    this.reconcile();
  }

  /** Lets the controllers run (they also run after every change). */
  public settle(): void {
    this.deployManifestDirs();
    this.reconcile();
  }

  /** Runs the controllers until nothing changes (after a batch of applies). */
  public reconcile(): void {
    for (let i = 0; i < 50; i++) {
      const before = this.version();
      this.namespaceController();
      this.garbageCollector();
      this.deploymentController();
      this.replicaSetController();
      this.statefulSetController();
      this.endpointsController();
      this.volumeController();
      if (this.version() === before) return;
    }
    throw new Error('the model\'s controllers did not settle');
  }

  // ------------------------------------------------------------------------------------- controllers

  private version(): string {
    return `${this.objects.size}|${this.deletions.length}|${this.uidSeq}`;
  }

  private namespaceController(): void {
    for (const ns of this.list(this.type('Namespace'))) {
      if (!ns.metadata.deletionTimestamp) continue;
      for (const [k, e] of [...this.objects.entries()]) {
        if (e.obj.metadata.namespace === ns.metadata.name) this.remove(k, 'namespace');
      }
      this.objects.delete(key('Namespace', undefined, ns.metadata.name));
    }
  }

  private garbageCollector(): void {
    const uids = new Set(this.all().map(o => o.metadata.uid));
    for (const [k, e] of [...this.objects.entries()]) {
      const owners = e.obj.metadata.ownerReferences ?? [];
      if (owners.length > 0 && owners.every(o => !uids.has(o.uid))) this.remove(k, 'gc');
    }
  }

  private deploymentController(): void {
    for (const d of this.list(this.type('Deployment'))) {
      const template = d.spec?.template ?? {};
      const rsName = `${d.metadata.name}-${hash(template)}`;
      for (const rs of this.owned(d, 'ReplicaSet')) {
        if (rs.metadata.name !== rsName && rs.spec.replicas !== 0) rs.spec.replicas = 0;
      }
      if (!this.get('ReplicaSet', d.metadata.namespace, rsName)) {
        this.create(d, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rsName, labels: { ...template.metadata?.labels } }, spec: { replicas: d.spec?.replicas ?? 1, template } });
      } else {
        this.get('ReplicaSet', d.metadata.namespace, rsName)!.spec.replicas = d.spec?.replicas ?? 1;
      }
    }
  }

  private replicaSetController(): void {
    for (const rs of this.list(this.type('ReplicaSet'))) {
      this.scalePods(rs, rs.spec?.replicas ?? 1, i => `${rs.metadata.name}-${hash([rs.metadata.uid, i], 5)}`);
    }
  }

  private statefulSetController(): void {
    for (const sts of this.list(this.type('StatefulSet'))) {
      const replicas = sts.spec?.replicas ?? 1;
      const policy = sts.spec?.persistentVolumeClaimRetentionPolicy ?? {};
      const selector = sts.spec?.selector?.matchLabels ?? {};
      this.adoptPods(sts, replicas);
      this.scalePods(sts, replicas, i => `${sts.metadata.name}-${i}`);
      for (const t of sts.spec?.volumeClaimTemplates ?? []) {
        for (let i = 0; ; i++) {
          const name = `${t.metadata.name}-${sts.metadata.name}-${i}`;
          const claim = this.get('PersistentVolumeClaim', sts.metadata.namespace, name);
          if (i >= replicas) {
            if (!claim) break;
            if (policy.whenScaled === 'Delete') this.remove(key('PersistentVolumeClaim', sts.metadata.namespace, name), 'controller');
            continue;
          }
          if (claim) continue;
          const owned = policy.whenDeleted === 'Delete';
          const created = this.create(owned ? sts : undefined, {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name, namespace: sts.metadata.namespace, labels: { ...t.metadata?.labels, ...selector } },
            spec: t.spec,
          });
          this.claimsCreated.set(`${sts.metadata.namespace}/${name}`, created.metadata.uid);
        }
      }
    }
  }

  private endpointsController(): void {
    const services = this.list(this.type('Service'));
    for (const svc of services) {
      if (!svc.spec?.selector) continue;
      const ep = this.get('Endpoints', svc.metadata.namespace, svc.metadata.name);
      if (!ep) {
        // A COPY of the Service's labels, and no owner: what the endpoints controller really does.
        this.create(undefined, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels: { ...svc.metadata.labels } } });
      } else {
        ep.metadata.labels = { ...svc.metadata.labels };
      }
      if (this.owned(svc, 'EndpointSlice').length === 0) {
        this.create(svc, {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: `${svc.metadata.name}-${hash(svc.metadata.uid, 5)}`, labels: { ...svc.metadata.labels, 'kubernetes.io/service-name': svc.metadata.name } },
          addressType: 'IPv4',
          endpoints: [],
        });
      }
    }
    for (const ep of this.list(this.type('Endpoints'))) {
      const origin = this.originOf(ep);
      const svc = this.get('Service', ep.metadata.namespace, ep.metadata.name);
      if (origin === 'controller' && (!svc || !svc.spec?.selector)) this.remove(key('Endpoints', ep.metadata.namespace, ep.metadata.name), 'controller');
    }
  }

  /**
   * The PersistentVolume controller. A claim binds to a volume reserved for it (`claimRef` with its namespace and
   * name but no uid: a static volume such as a RestoredVolume) when that volume offers its class, access mode and
   * size; otherwise to a new volume (reclaim policy Delete, as local-path). A reserved volume whose claim does not
   * exist yet stays Available. A bound claim whose volume's claimRef came unbound (none) is bound again; one whose
   * volume names another claim or no uid (an apply replaced the claimRef: ObjectReference is atomic in server-side
   * apply) is Lost, as kube-controller-manager marks it (ClaimMisbound). A deleted claim takes a Delete volume's
   * data; a Retain volume is kept, Released.
   */
  private volumeController(): void {
    const claims = new Map(this.all().filter(o => o.kind === 'PersistentVolumeClaim').map(o => [o.metadata.uid, o]));
    const volumes = this.list(this.type('PersistentVolume'));
    for (const claim of claims.values()) {
      const bound = this.bindings.get(claim.metadata.uid);
      if (bound !== undefined) {
        this.checkBinding(claim, bound);
        continue;
      }
      const reserved = volumes.find(pv => reservedFor(pv, claim));
      const pv = reserved?.metadata.name ?? `pvc-${claim.metadata.uid}`;
      if (reserved) {
        reserved.spec.claimRef = { ...reserved.spec.claimRef, uid: claim.metadata.uid };
      } else {
        const claimRef = { namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid };
        this.create(undefined, { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pv }, spec: { persistentVolumeReclaimPolicy: 'Delete', claimRef } });
      }
      this.bindings.set(claim.metadata.uid, pv);
    }
    for (const pv of this.list(this.type('PersistentVolume'))) {
      const ref = pv.spec?.claimRef;
      if (!ref?.uid || claims.has(ref.uid)) continue;
      if (pv.spec.persistentVolumeReclaimPolicy === 'Retain') {
        pv.status = { phase: 'Released' };
        continue;
      }
      this.remove(key('PersistentVolume', undefined, pv.metadata.name), 'controller');
      this.dataLost.push(`${ref.namespace}/${ref.name}`);
    }
  }

  /** A bound claim keeps its volume, is bound again to a volume whose claimRef went, or is Lost. */
  private checkBinding(claim: ModelObject, volumeName: string): void {
    const pv = this.get('PersistentVolume', undefined, volumeName);
    const ref = pv?.spec?.claimRef;
    if (pv && ref === undefined) pv.spec.claimRef = { namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid };
    else if (!pv || ref.uid !== claim.metadata.uid) claim.status = { phase: 'Lost' };
  }

  /** k3s's deploy controller: applies changed files of the auto-deploy directories, prunes per Addon. */
  private deployManifestDirs(): void {
    if (this.distribution !== 'k3s') return;
    for (const dir of this.manifestDirs) {
      if (!fs.existsSync(dir)) continue;
      for (const file of fs.readdirSync(dir).filter(f => /\.(yaml|yml|json)$/.test(f)).sort()) {
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        const addonName = file.split('.')[0];
        const sum = hash(text, 64);
        if (this.deployedFiles.get(addonName) === sum) continue;
        this.deployedFiles.set(addonName, sum);
        this.deployFile(addonName, text);
      }
    }
  }

  private deployFile(addonName: string, text: string): void {
    const addon = this.get('Addon', 'kube-system', addonName)
      ?? this.create(undefined, { apiVersion: 'k3s.cattle.io/v1', kind: 'Addon', metadata: { name: addonName, namespace: 'kube-system', annotations: {} }, spec: {} });
    const setHash = hash(['addon', addonName], 40);
    const docs = parseAllDocuments(text).map(d => d.toJS()).filter(Boolean) as ModelObject[];
    const kinds = new Set((addon.metadata.annotations?.['addon.k3s.cattle.io/gvks'] ?? '').split(';').filter(Boolean));
    docs.forEach(d => kinds.add(`${d.apiVersion}|${d.kind}`));
    const wanted = new Set<string>();
    for (const doc of docs) {
      doc.metadata.labels = { ...doc.metadata.labels, 'objectset.rio.cattle.io/hash': setHash };
      this.apply(doc, 'k3s-deploy');
      wanted.add(key(doc.kind, this.typeOf(doc.apiVersion, doc.kind)?.namespaced ? doc.metadata.namespace ?? 'default' : undefined, doc.metadata.name));
    }
    for (const [k, e] of [...this.objects.entries()]) {
      const gvk = `${e.obj.apiVersion}|${e.obj.kind}`;
      if (kinds.has(gvk) && e.obj.metadata.labels?.['objectset.rio.cattle.io/hash'] === setHash && !wanted.has(k)) this.remove(k, 'k3s-deploy');
    }
    addon.metadata.annotations = { ...addon.metadata.annotations, 'addon.k3s.cattle.io/gvks': [...kinds].join(';') };
  }

  // ----------------------------------------------------------------------------------------- helpers

  private type(kind: string): ResourceType {
    return this.types.find(t => t.kind === kind)!;
  }

  private owned(owner: ModelObject, kind: string): ModelObject[] {
    return this.all().filter(o => o.kind === kind && (o.metadata.ownerReferences ?? []).some(r => r.uid === owner.metadata.uid));
  }

  /** A StatefulSet adopts the orphaned pods of its ordinals (after a `--cascade=orphan` delete). */
  private adoptPods(sts: ModelObject, replicas: number): void {
    for (let i = 0; i < replicas; i++) {
      const pod = this.get('Pod', sts.metadata.namespace, `${sts.metadata.name}-${i}`);
      if (pod && !pod.metadata.ownerReferences) {
        pod.metadata.ownerReferences = [{ apiVersion: sts.apiVersion, kind: sts.kind, name: sts.metadata.name, uid: sts.metadata.uid, controller: true }];
      }
    }
  }

  private scalePods(owner: ModelObject, replicas: number, podName: (i: number) => string): void {
    const pods = this.owned(owner, 'Pod');
    for (let i = 0; i < Math.max(replicas, pods.length); i++) {
      const name = podName(i);
      const pod = this.get('Pod', owner.metadata.namespace, name);
      if (i < replicas && !pod) {
        this.create(owner, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { ...owner.spec?.template?.metadata?.labels } }, spec: owner.spec?.template?.spec ?? {} });
        this.create(undefined, { apiVersion: 'v1', kind: 'Event', metadata: { name: `${name}.${hash([name, this.uidSeq], 8)}`, namespace: owner.metadata.namespace }, reason: 'Scheduled', involvedObject: { kind: 'Pod', name } });
      }
      if (i >= replicas && pod) this.remove(key('Pod', owner.metadata.namespace, name), 'controller');
    }
  }

  private create(owner: ModelObject | undefined, obj: Omit<ModelObject, 'metadata'> & { metadata: Partial<ModelObject['metadata']> & { name: string } }): ModelObject {
    const full = obj as ModelObject;
    if (owner) {
      full.metadata.namespace = full.metadata.namespace ?? owner.metadata.namespace;
      const { apiVersion, kind } = owner;
      full.metadata.ownerReferences = [{ apiVersion, kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true }];
    }
    return this.put(full, 'controller');
  }

  private put(obj: ModelObject, origin: Origin): ModelObject {
    obj.metadata.uid = obj.metadata.uid || this.newUid();
    this.objects.set(key(obj.kind, obj.metadata.namespace, obj.metadata.name), { obj, origin });
    return obj;
  }

  private remove(k: string, cause: Deletion['cause']): void {
    const entry = this.objects.get(k);
    if (!entry) return;
    this.objects.delete(k);
    this.record(entry, cause);
  }

  private record(entry: Entry, cause: Deletion['cause']): void {
    const { kind, metadata } = entry.obj;
    this.deletions.push({ kind, namespace: metadata.namespace ?? '', name: metadata.name, uid: metadata.uid, origin: entry.origin, cause });
  }

  private newUid(): string {
    this.uidSeq += 1;
    return `uid-${String(this.uidSeq).padStart(6, '0')}`;
  }

  /** The API server refuses changes of immutable fields. */
  private checkImmutable(before: ModelObject, after: ModelObject): void {
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (before.kind === 'StatefulSet') {
      const strip = (s: Record<string, unknown> = {}) => {
        const { replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds, ...rest } = s; // eslint-disable-line @typescript-eslint/no-unused-vars
        return rest;
      };
      if (!same(strip(before.spec), strip(after.spec))) {
        throw new Error(`Error from server (Invalid): StatefulSet.apps "${before.metadata.name}" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`);
      }
    }
    if ((before.kind === 'Deployment' || before.kind === 'DaemonSet') && !same(before.spec?.selector, after.spec?.selector)) {
      throw new Error(`The ${before.kind} "${before.metadata.name}" is invalid: spec.selector: Invalid value: field is immutable`);
    }
    if (before.kind === 'Service' && before.spec?.clusterIP && after.spec?.clusterIP && before.spec.clusterIP !== after.spec.clusterIP) {
      throw new Error(`The Service "${before.metadata.name}" is invalid: spec.clusterIP: Invalid value: field is immutable`);
    }
  }
}

/**
 * A volume reserved for `claim` (claimRef namespace/name, no uid yet) that the claim can bind to: same class, the
 * claim's access modes offered, at least its size.
 */
function reservedFor(pv: ModelObject, claim: ModelObject): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.uid || ref.namespace !== claim.metadata.namespace || ref.name !== claim.metadata.name) return false;
  const modes: string[] = pv.spec.accessModes ?? [];
  return pv.spec.storageClassName === claim.spec?.storageClassName
    && (claim.spec?.accessModes ?? []).every((m: string) => modes.includes(m))
    && gibibytes(pv.spec.capacity?.storage) >= gibibytes(claim.spec?.resources?.requests?.storage);
}

/** A Gi quantity (what the library writes) in GiB; anything else NaN (never bound). */
function gibibytes(quantity: unknown): number {
  const m = /^(\d+)Gi$/.exec(String(quantity));
  return m ? Number(m[1]) : NaN;
}
