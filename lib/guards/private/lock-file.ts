import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { KUBERNETES_VERSION_TAG, WorkloadRelease, guardMarkOf } from './marks';
import { REPLACEMENT_RULES, ROLLING_GROUP_PROPERTIES, STATEFUL_SET, VERSION_SKIP, isObject, valueAt } from './replacement-rules';
import { ValidationError } from '../../errors';

/** Format version of the lock file. */
export const LOCK_VERSION = 1;
/** Values longer than this (as JSON) are stored as a SHA-256 digest (user data, long lists). */
const MAX_INLINE = 240;

/** One protected resource as the lock records it. */
export interface LockedResource {
  readonly type: string;
  readonly category: string;
  /** Construct path (for people reading the file and error messages). */
  readonly path: string;
  /** Replacement-causing property path → its value (JSON) or `sha256:<hex>`; absent properties are omitted. */
  readonly properties: Record<string, unknown>;
  /**
   * The Kubernetes version: an EKS cluster's or managed node group's `Version` (`1.35`), a self-managed node
   * group's release (its `platform.cdk-k8s.io/kubernetes-version` tag, `v1.33.1+k3s1`).
   */
  readonly kubernetesVersion?: string;
  /** A workload delivery's Helm release: its name, delivery and charts. */
  readonly release?: WorkloadRelease;
  /** A node group (or its launch template) that rolls its nodes on a change; not written to the file. */
  readonly rolls?: boolean;
  /** A rolling node group's pinned release per minor version (`1.34` → `K3sVersion.V1_34_12`); not written to the file. */
  readonly upgradePath?: Readonly<Record<string, string>>;
}

/** Stack artifact id → logical ID → resource. */
export type LockedStacks = Record<string, Record<string, LockedResource>>;

/** The file. */
export interface LockFile {
  readonly version: number;
  readonly comment: string;
  readonly stacks: LockedStacks;
}

/** A change that would replace a protected resource. */
export interface Violation {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly category: string;
  readonly path: string;
  readonly message: string;
}

/** Sorted-key JSON, so equal values give equal text on every machine. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function stored(value: unknown): unknown {
  const text = canonical(value);
  return text.length > MAX_INLINE ? `sha256:${createHash('sha256').update(text).digest('hex')}` : JSON.parse(text);
}

/** The protected resources of every stack below `scope`, with their replacement-causing properties. */
export function collectProtected(scope: IConstruct): LockedStacks {
  const out: LockedStacks = {};
  for (const c of scope.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const rule = REPLACEMENT_RULES[c.cfnResourceType];
    if (!rule) continue;
    const stack = Stack.of(c);
    const rendered = stack.resolve((c as CfnResource)._toCloudFormation()) as { Resources?: Record<string, { Properties?: Record<string, unknown> }> };
    const [logicalId, resource] = Object.entries(rendered.Resources ?? {})[0] ?? [];
    if (!logicalId) continue;
    const props = resource?.Properties ?? {};
    if (rule.applies && !rule.applies(props, c)) continue;
    const properties: Record<string, unknown> = {};
    for (const p of rule.properties) {
      const v = valueAt(props, p);
      if (v !== undefined) properties[p] = stored(v);
    }
    const stackId = stack.artifactId;
    const kubernetesVersion = versionOf(c.cfnResourceType, props);
    const mark = guardMarkOf(c);
    const release = mark?.release;
    (out[stackId] ??= {})[logicalId] = {
      type: c.cfnResourceType,
      category: rule.category,
      path: c.node.path,
      properties,
      ...(kubernetesVersion !== undefined ? { kubernetesVersion } : {}),
      ...(release ? { release: releaseRecord(release) } : {}),
      ...(mark?.role === 'rolling-node-group' ? { rolls: true } : {}),
      ...(mark?.upgradePath ? { upgradePath: mark.upgradePath } : {}),
    };
  }
  return out;
}

/** The Kubernetes version a resource runs: `Version` of an EKS cluster or node group, else the version tag. */
function versionOf(type: string, props: Record<string, unknown>): string | undefined {
  if (type === 'AWS::EKS::Cluster' || type === 'AWS::EKS::Nodegroup') return typeof props.Version === 'string' ? props.Version : undefined;
  return tagValue(props.Tags, KUBERNETES_VERSION_TAG);
}

/** The value of tag `key` in a rendered `Tags` list (`[{ Key, Value }]`), when it is a plain string. */
function tagValue(tags: unknown, key: string): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  const tag = tags.find(t => isObject(t) && t.Key === key);
  return isObject(tag) && typeof tag.Value === 'string' ? tag.Value : undefined;
}

/** Is this resource covered by an opt-in (category name, logical ID, or construct path prefix)? */
export function allowed(allow: ReadonlySet<string>, logicalId: string, r: LockedResource): boolean {
  if (allow.has(r.category) || allow.has(logicalId) || allow.has('*')) return true;
  for (const a of allow) if (a.includes('/') && (r.path === a || r.path.startsWith(`${a}/`))) return true;
  return false;
}

function short(v: unknown): string {
  const text = v === undefined ? '(not set)' : canonical(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * Compares the locked state with the current one, for the stacks present now. Stacks that are no longer in
 * the app are not compared (they may be synthesized by another app or deleted on purpose).
 */
export function compare(previous: LockedStacks, current: LockedStacks, allow: ReadonlySet<string>): Violation[] {
  const violations: Violation[] = [];
  for (const [stackId, now] of Object.entries(current)) {
    const before = previous[stackId];
    if (!before) continue;
    const added = Object.entries(now).filter(([id]) => !before[id]);
    for (const [id, old] of Object.entries(before)) {
      const cur = now[id];
      const violation = (message: string, category = old.category) =>
        violations.push({ stack: stackId, logicalId: id, type: old.type, category, path: old.path, message });
      const step = cur ? versionStep(old.kubernetesVersion, cur.kubernetesVersion, cur.upgradePath) : undefined;
      if (step && !allowed(allow, id, { ...old, category: VERSION_SKIP })) violation(step, VERSION_SKIP);
      const reshaped = old.release && cur?.release ? statefulSetChange(old.release, cur.release) : undefined;
      if (reshaped && !allowed(allow, id, { ...old, category: STATEFUL_SET })) violation(reshaped, STATEFUL_SET);
      if (allowed(allow, id, old)) continue;
      if (old.release) {
        const moved = releaseChange(old.release, cur?.release, Object.values(now));
        if (moved) violation(moved);
        continue;
      }
      if (!cur || cur.type !== old.type) {
        const twin = added.find(([, r]) => r.type === old.type && r.category === old.category);
        violation(`is gone from the template${twin ? ` and a new ${old.type} ${twin[0]} (${twin[1].path}) appeared: its logical ID moved` : ''}, `
          + `so CloudFormation would ${twin ? 'create the new one and ' : ''}${old.category === 'BackupVault' ? 'remove' : 'delete'} ${old.type} ${id}. `
          + (old.category === 'Token' ? `${TOKEN_LOST} ` : '')
          + (old.category === 'BackupVault' ? `${VAULT_LEFT} ` : '')
          + 'Restore the construct id/path (or pin it with overrideLogicalId), or opt in to the replacement.');
        continue;
      }
      const keys = new Set([...Object.keys(old.properties), ...Object.keys(cur.properties)]);
      const differ = [...keys].sort().filter(k => canonical(old.properties[k]) !== canonical(cur.properties[k]));
      // a whole-object property (e.g. LaunchTemplateData) is named only when none of its named parts changed
      const changed = differ.filter(k => !differ.some(o => o.startsWith(`${k}.`)));
      if (changed.length > 0) violation(changeMessage(old, cur, changed));
    }
  }
  return violations;
}

const quoted = (names: readonly string[]) => names.map(n => `"${n}"`).join(', ');

/**
 * Why a recorded workload release may not change so: a chart moves out of it (into another release, or out
 * of the code), or the release is gone (CloudFormation deletes it: helm uninstall deletes its objects).
 */
function releaseChange(old: WorkloadRelease, cur: WorkloadRelease | undefined, now: LockedResource[]): string | undefined {
  const left = old.charts.filter(c => !cur?.charts.includes(c));
  if (cur && left.length === 0) return undefined;
  const to = (c: string) => now.find(r => r.release && r.release.delivery === old.delivery && r.release.charts.includes(c))?.release;
  const destinations = left.map(c => (to(c) ? `"${c}" to the release "${to(c)!.name}"` : `"${c}" out of the code`));
  const moved = left.filter(c => to(c) !== undefined);
  const fix = old.shared && moved.length > 0
    ? `To keep the charts where they are, list them in the delivery's release: addWorkloads('${old.delivery}', charts, { sharedReleaseCharts: [${old.charts.map(c => `'${c}'`).join(', ')}] }) (docs/delivery.md: migrating). `
    : moved.length > 0 ? `To keep the chart in its own release, remove ${quoted(moved)} from sharedReleaseCharts. ` : '';
  return `is the Helm release "${old.name}" of the delivery "${old.delivery}" (charts ${quoted(old.charts)}); `
    + (cur
      ? `charts would move out of it: ${destinations.join(', ')}. Helm refuses an object another release holds (the deploy fails and rolls back) and deletes what leaves a release. `
      : `it is gone from the template (${destinations.join(', ')}), so CloudFormation would delete it and helm uninstall deletes every object in it `
        + '(CRDs, claims, volumes and namespaces excepted: they are kept, with the claims in those namespaces). ')
    + fix
    + 'If the objects are meant to go (or you handed them to their new release, docs/delivery.md), opt in.';
}

/**
 * Why a recorded release's StatefulSets cannot be upgraded as they are: fields the API server keeps immutable
 * (claim templates, serviceName, podManagementPolicy, selector) change, so Helm's upgrade would fail. Only
 * StatefulSets in both the recorded and the current release are compared (lock files written before they were
 * recorded compare nothing).
 */
function statefulSetChange(old: WorkloadRelease, cur: WorkloadRelease): string | undefined {
  const before = old.statefulSets ?? {};
  const after = cur.statefulSets ?? {};
  const changed = Object.keys(before).filter(k => after[k] !== undefined && after[k] !== before[k]).sort();
  if (changed.length === 0) return undefined;
  const parts = (d: string) => d.split('; ');
  const what = changed.map(k => {
    const from = parts(before[k]).filter(p => !parts(after[k]).includes(p));
    const to = parts(after[k]).filter(p => !parts(before[k]).includes(p));
    return `StatefulSet ${k}: ${from.join('; ') || '(nothing)'} → ${to.join('; ') || '(nothing)'}`;
  });
  const [namespace, name] = changed[0].split('/');
  // a claim whose size changes gives the example its name and size
  const [was, now] = [claimSizes(before[changed[0]]), claimSizes(after[changed[0]])];
  const [claim, size] = [...now].find(([c, z]) => was.has(c) && was.get(c) !== z) ?? ['<claim>', '<new size>'];
  return `is the Helm release "${old.name}" of the delivery "${old.delivery}"; fields of its StatefulSets that the API server keeps `
    + `immutable would change (${what.join('; ')}), so Helm's upgrade would fail and the stack roll back. To grow a volume: expand each claim `
    + `(kubectl -n ${namespace} patch pvc ${claim}-${name}-0 -p '{"spec":{"resources":{"requests":{"storage":"${size}"}}}}', and ${claim}-${name}-1 ... for more replicas; its storage class `
    + `must allow expansion, as gp3 does), delete the StatefulSet alone (kubectl -n ${namespace} delete statefulset ${name} --cascade=orphan: its pods `
    + 'keep running), then deploy with the opt-in: Helm creates the StatefulSet again and it adopts the pods and claims (docs/operations.md). '
    + 'Otherwise revert the change.';
}

/** Claim template name → size, from a StatefulSet's description (`claim data: 10Gi, class gp3, ...`). */
function claimSizes(description: string): Map<string, string> {
  const sizes = new Map<string, string>();
  for (const part of description.split('; ')) {
    const m = /^claim (\S+): ([^,]+),/.exec(part);
    if (m && m[2] !== 'no size') sizes.set(m[1], m[2]);
  }
  return sizes;
}

const VAULT_LEFT = 'The vault is retained with its recovery points, outside the stack; while it exists, a vault of the same name '
  + 'cannot be created again (turning volume backups back on would fail).';
const TOKEN_LOST = 'A new token value locks every node out: nodes that restart or join can no longer authenticate to the '
  + 'cluster (k3s: the server token also decrypts the datastore\'s bootstrap data, so no snapshot can be restored).';
const ROLL = 'The Auto Scaling group rolls its nodes one at a time (each drained first; servers snapshot etcd first) and '
  + 'waits for each new node\'s bootstrap; what a node keeps on its own disk (local-path volumes) is not carried over.';

/** The message for changed protected properties: a roll, a new token value, or a replacement. */
function changeMessage(old: LockedResource, cur: LockedResource, changed: string[]): string {
  const what = changed.map(k => `${k} changes from ${short(old.properties[k])} to ${short(cur.properties[k])}`).join('; ');
  if (old.category === 'Token') {
    return `would get a new value: ${what}. ${TOKEN_LOST} Revert the change, or opt in to the new token.`;
  }
  const rolls = cur.rolls && (old.type === 'AWS::EC2::LaunchTemplate'
    || (old.type === 'AWS::AutoScaling::AutoScalingGroup' && changed.every(k => ROLLING_GROUP_PROPERTIES.includes(k))));
  if (rolls) return `rolls its nodes: ${what}. ${ROLL} Revert the change, or opt in to the roll.`;
  const hints = changed.map(k => REPLACEMENT_RULES[old.type]?.hints?.[k]).filter(h => h !== undefined);
  return `would be replaced: ${what}. `
    + (old.type === 'AWS::EC2::LaunchTemplate'
      ? 'A new launch template version makes the Auto Scaling group replace the instances launched from it, with their local state. '
      : 'CloudFormation replaces the resource to apply these properties. ')
    + hints.map(h => `${h} `).join('')
    + 'Revert the change, or opt in to the replacement.';
}

/** Major, minor and patch of a release (`v1.33.1+k3s1`, `1.33.1`, EKS's `1.35`: patch 0), or undefined. */
function parseVersion(version: string | undefined): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+)|$)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

/**
 * Why a Kubernetes version change is refused: it skips a minor version or goes back (EKS, k3s and kubeadm
 * upgrade one minor version at a time and never downgrade). Undefined when the step is allowed. An EKS version
 * (`1.35`, no patch) gets the EKS order as the next step; a self-managed one the pinned release of `upgradePath`.
 */
export function versionStep(from: string | undefined, to: string | undefined, upgradePath: Readonly<Record<string, string>> = {}): string | undefined {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (!a || !b || from === to) return undefined;
  const minor = (v: [number, number, number]) => `${v[0]}.${v[1]}`;
  const order = b[0] - a[0] || b[1] - a[1] || b[2] - a[2];
  if (order < 0) {
    return `Kubernetes version goes back from ${from} to ${to}: a cluster cannot be downgraded (its datastore and objects `
      + `were written by ${minor(a)}). Keep ${from} or deploy a later release.`;
  }
  if (b[0] !== a[0] || b[1] > a[1] + 1) {
    const next = `${a[0]}.${a[1] + 1}`;
    const eks = /^\d+\.\d+$/.test(from ?? '');
    return `Kubernetes version changes from ${from} to ${to}, skipping ${b[0] === a[0] && b[1] === a[1] + 2 ? next : `the minor versions after ${minor(a)}`}: `
      + (eks
        ? `EKS upgrades one minor version at a time. Deploy ${next} first (version: EksKubernetesVersion.V${next.replace('.', '_')}: the control plane, then the add-ons, then each node group rolls onto it), then ${minor(b)}.`
        : `k3s and kubeadm upgrade one minor version at a time. Deploy ${next}.x first (${pinned(upgradePath, next)}each node group rolls onto it), `
          + `${between(a, b).map(m => `then ${m}.x${upgradePath[m] ? ` (version: ${upgradePath[m]})` : ''}, `).join('')}then ${minor(b)}.`);
  }
  return undefined;
}

/** The minor versions strictly between the one after `a` and `b` (same major version), e.g. 1.35 from 1.33 to 1.36. */
function between(a: [number, number, number], b: [number, number, number]): string[] {
  if (a[0] !== b[0]) return [];
  return Array.from({ length: Math.max(0, b[1] - a[1] - 2) }, (_, i) => `${a[0]}.${a[1] + 2 + i}`);
}

/** `version: K3sVersion.V1_34_12; ` when `upgradePath` pins a release of `minor`, else nothing. */
function pinned(upgradePath: Readonly<Record<string, string>>, minor: string): string {
  return upgradePath[minor] ? `version: ${upgradePath[minor]}; ` : '';
}

/** Reads the lock file; undefined when it does not exist. Throws with the path when it is not a lock file. */
export function readLock(file: string): LockFile | undefined {
  if (!fs.existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValidationError(`ReplacementGuard: ${file} is not valid JSON (${(e as Error).message}). Restore it from git, or delete it to record the current state again.`,
      { prop: 'lockFile', value: file });
  }
  if (!isObject(parsed) || parsed.version !== LOCK_VERSION || !isObject(parsed.stacks)) {
    throw new ValidationError(`ReplacementGuard: ${file} is not a version ${LOCK_VERSION} lock file. Restore it from git, or delete it to record the current state again.`,
      { prop: 'lockFile', value: file });
  }
  return parsed as unknown as LockFile;
}

/** The text of a lock file (stable: sorted keys, two-space indent, trailing newline). */
export function renderLock(stacks: LockedStacks): string {
  const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.keys(o).sort().map(k => [k, o[k]]));
  const body: LockFile = {
    version: LOCK_VERSION,
    comment: 'Written by cdk-k8s-platform ReplacementGuard. Commit it: synthesis fails when a change would replace a resource listed here. See docs/security.md.',
    stacks: Object.fromEntries(Object.keys(stacks).sort().map(s => [s, sorted(Object.fromEntries(
      Object.entries(stacks[s]).map(([id, r]) => [id, recorded(r)]),
    )) as Record<string, LockedResource>])),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** What the file records of a resource (in a stable order; `rolls` is derived from the code, not recorded). */
function recorded(r: LockedResource): LockedResource {
  const properties = Object.fromEntries(Object.keys(r.properties).sort().map(k => [k, r.properties[k]]));
  const version = r.kubernetesVersion !== undefined ? { kubernetesVersion: r.kubernetesVersion } : {};
  const release = r.release ? { release: releaseRecord(r.release) } : {};
  return { type: r.type, category: r.category, path: r.path, properties, ...version, ...release };
}

/** What the file records of a release: its StatefulSets (sorted) only when it has some. */
function releaseRecord(r: WorkloadRelease): WorkloadRelease {
  const names = Object.keys(r.statefulSets ?? {}).sort();
  const statefulSets = names.length > 0 ? { statefulSets: Object.fromEntries(names.map(n => [n, r.statefulSets![n]])) } : {};
  return { name: r.name, delivery: r.delivery, charts: [...r.charts], shared: r.shared, ...statefulSets };
}

/** Writes the file only when its content changes. Returns true if it was written. */
export function writeLock(file: string, text: string): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return true;
}
