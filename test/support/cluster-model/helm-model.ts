/**
 * Helm's release semantics and CloudFormation's deployment order over a {@link ClusterModel}, for testing
 * what EKS deliveries (one Helm release per chart, HelmChart custom resources) do to a live cluster over a
 * sequence of deploys. Modelled as Helm 3/4 and CloudFormation really behave:
 *
 * - Helm stamps every object it applies with `meta.helm.sh/release-name` / `-namespace` (ownership).
 *   `upgrade --install` first checks every object that is new to the release: one that exists in the cluster
 *   and belongs to another release (or none) fails the whole operation before anything changes ("invalid
 *   ownership metadata"; `--take-ownership` is not passed by the aws-eks-v2 handler). It then applies the
 *   objects and deletes those of the previous revision that left the release, unless the LIVE object says
 *   `helm.sh/resource-policy: keep`. `--atomic`: a failed install is uninstalled, a failed upgrade rolled back
 *   to the previous revision. `uninstall` deletes every object of the release except kept ones.
 * - CloudFormation creates and updates resources in an order that respects DependsOn (otherwise any order:
 *   the model takes the order it is given), rolls back on the first failure (updates are updated back,
 *   creates deleted), and deletes resources that left the template only after every create and update
 *   succeeded (the cleanup phase). A HelmChart's Create/Update runs `helm upgrade --install`, Delete
 *   `helm uninstall`.
 */
import { ClusterModel } from './cluster-model';

/** An object as a chart renders it. */
export type RenderedObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const RELEASE_NAME = 'meta.helm.sh/release-name';
export const RELEASE_NAMESPACE = 'meta.helm.sh/release-namespace';
export const RESOURCE_POLICY = 'helm.sh/resource-policy';

const keyOf = (o: RenderedObject) => `${o.kind}|${o.metadata.namespace ?? 'default'}|${o.metadata.name}`;

interface Release { readonly objects: RenderedObject[] }

/** Helm against the model cluster. */
export class HelmModel {
  /** `namespace/name` → the deployed revision's objects. */
  public readonly releases = new Map<string, Release>();
  /** Every helm command run, for failure messages. */
  public readonly log: string[] = [];

  constructor(private readonly cluster: ClusterModel) {}

  /** `helm upgrade --install --atomic`: throws Helm's error when it fails (after its own rollback). */
  public upgradeInstall(name: string, namespace: string, objects: RenderedObject[]): void {
    const id = `${namespace}/${name}`;
    const previous = this.releases.get(id);
    this.log.push(`upgrade --install ${id} (${objects.length} objects)`);
    const before = new Set((previous?.objects ?? []).map(keyOf));
    for (const o of objects) {
      if (before.has(keyOf(o))) continue;
      const live = this.liveOf(o);
      const owner = live?.metadata.annotations?.[RELEASE_NAME];
      if (live && (owner !== name || live.metadata.annotations?.[RELEASE_NAMESPACE] !== namespace)) {
        throw new Error(`Error: rendered manifests contain a resource that already exists. Unable to continue with ${previous ? 'update' : 'install'}: ${o.kind} "${o.metadata.name}" `
          + `in namespace "${o.metadata.namespace ?? 'default'}" exists and cannot be imported into the current release: invalid ownership metadata; `
          + `annotation validation error: key "${RELEASE_NAME}" must equal "${name}": current value is "${owner ?? ''}"`);
      }
    }
    try {
      this.applyRevision(name, namespace, previous?.objects ?? [], objects);
      this.releases.set(id, { objects });
    } catch (e) {
      // --atomic
      if (previous) this.applyRevision(name, namespace, objects, previous.objects);
      else this.deleteObjects(objects.filter(o => !before.has(keyOf(o))));
      throw e;
    }
  }

  /** `helm uninstall`. */
  public uninstall(name: string, namespace: string): void {
    const id = `${namespace}/${name}`;
    this.log.push(`uninstall ${id}`);
    const release = this.releases.get(id);
    if (!release) return;
    this.deleteObjects(release.objects);
    this.releases.delete(id);
  }

  private applyRevision(name: string, namespace: string, from: RenderedObject[], to: RenderedObject[]): void {
    for (const o of to) {
      const stamped = JSON.parse(JSON.stringify(o)) as RenderedObject;
      stamped.metadata.annotations = { ...stamped.metadata.annotations, [RELEASE_NAME]: name, [RELEASE_NAMESPACE]: namespace };
      this.cluster.apply(stamped, 'helm');
    }
    const kept = new Set(to.map(keyOf));
    this.deleteObjects(from.filter(o => !kept.has(keyOf(o))));
  }

  private deleteObjects(objects: RenderedObject[]): void {
    for (const o of objects) {
      const live = this.liveOf(o);
      if (!live || live.metadata.annotations?.[RESOURCE_POLICY] === 'keep') continue;
      this.cluster.delete(o.kind, live.metadata.namespace, o.metadata.name, 'kubectl');
    }
  }

  /** The live object of a rendered one: in its namespace (default if none), or cluster-scoped (a Namespace, a CRD). */
  private liveOf(o: RenderedObject) {
    const namespaced = this.cluster.typeOf(o.apiVersion, o.kind)?.namespaced !== false;
    return this.cluster.get(o.kind, namespaced ? o.metadata.namespace ?? 'default' : undefined, o.metadata.name);
  }
}

/** A HelmChart custom resource of a template. */
export interface HelmChartResource {
  readonly release: string;
  readonly namespace: string;
  readonly objects: RenderedObject[];
  /** Logical IDs of the HelmCharts it depends on. */
  readonly dependsOn: string[];
}

/** A template's HelmCharts by logical ID. */
export type HelmTemplate = Map<string, HelmChartResource>;

/** What a deploy did. */
export interface DeployResult {
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * `cdk deploy` of `next` over the deployed `previous` template: creates and updates in `order` (the logical
 * IDs of `next` in the order CloudFormation happens to start them; it must respect DependsOn), the rollback on
 * failure, the cleanup deletes on success.
 */
export function deployTemplate(helm: HelmModel, previous: HelmTemplate, next: HelmTemplate, order: string[]): DeployResult {
  const done: Array<{ id: string; created: boolean }> = [];
  const started = new Set<string>();
  for (const id of order) {
    const r = next.get(id)!;
    const missing = r.dependsOn.filter(d => next.has(d) && !started.has(d));
    if (missing.length > 0) throw new Error(`model: order starts ${id} before its dependencies ${missing.join(', ')}`);
    started.add(id);
    const old = previous.get(id);
    if (old && JSON.stringify(old) === JSON.stringify(r)) continue;
    try {
      helm.upgradeInstall(r.release, r.namespace, r.objects);
      done.push({ id, created: !old });
    } catch (e) {
      rollback(helm, previous, next, done);
      return { ok: false, error: (e as Error).message };
    }
  }
  for (const [id, r] of previous) if (!next.has(id)) helm.uninstall(r.release, r.namespace);
  return { ok: true };
}

function rollback(helm: HelmModel, previous: HelmTemplate, next: HelmTemplate, done: Array<{ id: string; created: boolean }>): void {
  for (const { id, created } of done.reverse()) {
    const r = next.get(id)!;
    try {
      if (created) helm.uninstall(r.release, r.namespace);
      else helm.upgradeInstall(previous.get(id)!.release, previous.get(id)!.namespace, previous.get(id)!.objects);
    } catch (e) {
      helm.log.push(`rollback of ${id} failed: ${(e as Error).message}`);
    }
  }
}

/** Orders of `template`'s logical IDs that respect DependsOn; `pick(n)` chooses among the n ready ones. */
export function startOrder(template: HelmTemplate, pick: (n: number) => number): string[] {
  const order: string[] = [];
  const left = new Set(template.keys());
  while (left.size > 0) {
    const ready = [...left].filter(id => template.get(id)!.dependsOn.every(d => !left.has(d) || !template.has(d))).sort();
    if (ready.length === 0) throw new Error(`model: dependency cycle among ${[...left].join(', ')}`);
    const id = ready[pick(ready.length) % ready.length];
    order.push(id);
    left.delete(id);
  }
  return order;
}
