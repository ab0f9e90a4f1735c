import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssetHashType, Stage, Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { DISABLE_ASSET_STAGING_CONTEXT } from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import type * as yaml from 'yaml';
import { ChartManifest, KubeObject, ValidationError } from '../../workloads';
import { DeliveryLabels } from '../delivery-labels';
import { fastYamlDocument } from './yaml-fast-path';


/**
 * The order in which Helm installs kinds (helm.sh/helm/v3 pkg/releaseutil/kind_sorter.go, InstallOrder);
 * kinds not listed come last, in their original order. Used to order the single-file manifest as well, so
 * Namespaces, CRDs, ServiceAccounts and ConfigMaps are applied before what uses them.
 */
const INSTALL_ORDER = [
  'PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy',
  'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass',
  'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList',
  'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList',
  'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler',
  'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService', 'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];
const ORDER = new Map(INSTALL_ORDER.map((k, i) => [k, i]));

/** Objects sorted in Helm's install order (stable for equal kinds). */
export function sortForApply(objects: KubeObject[]): KubeObject[] {
  return objects
    .map((o, i) => ({ o, i, k: ORDER.get(o.kind) ?? INSTALL_ORDER.length }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map(x => x.o);
}

/** One YAML document (YAML 1.1 quoting, as Kubernetes and Helm parse it; no line folding; no anchors). */
export function toYamlDocument(obj: unknown): string {
  return fastYamlDocument(obj, renderYaml, plainStrings);
}

/** The reference renderer; {@link fastYamlDocument} writes the same bytes faster for plain objects. */
export function renderYaml(value: unknown): string {
  // Loaded on first use: the fast path renders ordinary objects without it (saves ~45 ms of start-up).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stringify } = require('yaml') as typeof yaml;
  return stringify(value, { version: '1.1', lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}
const plainStrings = new Map<string, string | null>();

/** `group/kind/namespace/name` identity of an object (apiVersion without its version). */
export function identity(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}`;
}

/** Describes an object in error messages, e.g. `apps/v1 Deployment shop/web (chart "shop")`. */
export function describeObject(o: KubeObject, chart: string): string {
  const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.apiVersion} ${o.kind} ${ns}${o.metadata.name ?? '(no name)'} (chart "${chart}")`;
}

/**
 * Copies the charts' objects, adding the managed-by and delivery labels (labels already set are kept), and
 * checks what a cluster would reject only at deploy time: unnamed objects, CDK tokens (an asset file cannot
 * carry deploy-time values), and two objects with the same identity.
 */
export function prepareObjects(scope: IConstruct, kind: string, manifests: ChartManifest[], deliveryId: string): ChartManifest[] {
  // identity → the object and its chart, described only for an error (a string per object cost more than the check)
  const seen = new Map<string, { o: KubeObject; chart: string }>();
  return manifests.map(m => ({
    name: m.name,
    objects: m.objects.map(original => {
      // A copy of the object and its metadata (the labels are replaced, nothing below is changed).
      const o = { ...original, metadata: original.metadata && { ...original.metadata } } as KubeObject & { metadata: { labels?: Record<string, string> } };
      if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !o.metadata || typeof o.metadata.name !== 'string' || o.metadata.name === '') {
        throw new ValidationError(`[${scope.node.path}] ${kind}.charts: ${describeObject(o, m.name)} has no apiVersion, kind or metadata.name: every delivered object needs all three.`);
      }
      const token = findToken(o);
      if (token !== undefined) {
        throw new ValidationError(`[${scope.node.path}] ${kind}.charts: ${describeObject(o, m.name)} contains a CDK token at ${token || '.'}: manifests are shipped as files in an S3 asset, `
          + 'so every value must be known at synth time. Pass a literal (e.g. a CIDR string instead of vpc.vpcCidrBlock), or look the value up in the cluster at run time.');
      }
      const id = identity(o);
      const previous = seen.get(id);
      if (previous !== undefined) {
        throw new ValidationError(`[${scope.node.path}] ${kind}.charts: ${describeObject(o, m.name)} is defined twice (also ${describeObject(previous.o, previous.chart)}): each object may be delivered once; rename one or remove the duplicate.`);
      }
      seen.set(id, { o, chart: m.name });
      o.metadata.labels = { [DeliveryLabels.MANAGED_BY]: DeliveryLabels.MANAGED_BY_VALUE, [DeliveryLabels.DELIVERY]: deliveryId, ...o.metadata.labels };
      return o as KubeObject;
    }),
  }));
}

/**
 * Where `value` holds a CDK token (`.spec.ports[0].port`, or '' for `value` itself), or undefined. The path is
 * built only for a token found, on the way back: building it for every value visited cost more than the search.
 * Cheap tests come first, with the same answers as `Token.isUnresolved` alone: a string token contains
 * `Token[`, and a number token is a double below -2^960 (aws-cdk-lib's token encoding).
 */
function findToken(value: unknown): string | undefined {
  if (typeof value === 'string') return value.includes(TOKEN_MARKER) && Token.isUnresolved(value) ? '' : undefined;
  if (typeof value === 'number') return value > -NUMBER_TOKEN_BOUND || !Token.isUnresolved(value) ? undefined : '';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findToken(value[i]);
      if (found !== undefined) return `[${i}]${found}`;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k.includes(TOKEN_MARKER) && Token.isUnresolved(k)) return `.${k}`;
      const found = findToken(o[k]);
      if (found !== undefined) return `.${k}${found}`;
    }
  }
  return undefined;
}
/** What every string token holds (aws-cdk-lib's `${Token[...]}` and `#{Token[...]}`). */
const TOKEN_MARKER = 'Token[';
/** Every number token is below -(2^960) (about -9.7e288): its high word is 0xFBFF____. */
const NUMBER_TOKEN_BOUND = 1e288;

/** sha256 hex of the files (paths and contents, in sorted path order). */
export function hashFiles(files: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const name of [...files.keys()].sort()) {
    h.update(name).update('\0').update(files.get(name)!).update('\0');
  }
  return h.digest('hex');
}

/**
 * Writes `files` (relative path → content) into a content-addressed directory under `root` and returns its
 * path. The same files always give the same directory and the same bytes, so the asset hash only changes
 * when the content does. Safe for concurrent writers: the directory is written under a temporary name and
 * renamed into place. Deliveries do not use it (they stage through {@link stagedAsset}, which leaves nothing
 * behind); it serves `HelmChartDirectory.write`.
 */
export function writeContentAddressed(prefix: string, files: ReadonlyMap<string, string>, root: string): string {
  fs.mkdirSync(root, { recursive: true });
  const target = path.join(root, `${prefix}-${hashFiles(files).slice(0, 32)}`);
  if (fs.existsSync(target) && sameContent(target, files)) return target;
  const staging = fs.mkdtempSync(path.join(root, `.${prefix}-`));
  writeFiles(staging, files);
  fs.rmSync(target, { recursive: true, force: true });
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    // another synth renamed the same content into place first
    fs.rmSync(staging, { recursive: true, force: true });
    if (!(fs.existsSync(target) && sameContent(target, files))) throw e;
  }
  return target;
}

function writeFiles(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [name, content] of files) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** An S3 asset made by {@link stagedAsset}. */
export interface StagedAsset {
  readonly asset: s3assets.Asset;
  /** Absolute path of the asset in the cloud assembly (a directory, or the file when `file` was given). */
  readonly path: string;
}

/** Names the library's scratch directories in an outdir (none is left after a synth). */
const SCRATCH_PREFIX = '.cdk-k8s-platform-';

/**
 * Makes `files` an S3 asset without leaving anything outside the cloud assembly, and stages identical content
 * once (the asset hash is the content hash). With `file`, the asset is that one file of `files`: written to a
 * scratch directory inside the outdir, copied into the assembly by the CDK, and the scratch removed.
 * Otherwise it is the directory (zipped on upload), staged by a {@link DirectoryStager} of its own.
 */
export function stagedAsset(scope: IConstruct, id: string, prefix: string, files: ReadonlyMap<string, string>, file?: string): StagedAsset {
  if (file === undefined) {
    const stager = new DirectoryStager();
    try {
      return stager.stage(scope, id, files);
    } finally {
      stager.close();
    }
  }
  const outdir = Stage.of(scope)?.outdir ?? os.tmpdir();
  const scratch = fs.mkdtempSync(path.resolve(outdir, `${SCRATCH_PREFIX}${prefix}-`));
  writeFiles(scratch, files);
  const source = path.join(scratch, file);
  // CDK's own fingerprint (the file's name and content), the hash it had before staging moved here, so the
  // S3 key in a node's user data does not change and no node rolls for it.
  const asset = new s3assets.Asset(scope, id, { path: source });
  const staged = path.resolve(outdir, asset.assetPath);
  // staging is disabled (context aws:cdk:disable-asset-staging): the asset points at the source, keep it
  if (staged !== source) fs.rmSync(scratch, { recursive: true, force: true });
  return { asset, path: staged };
}

/**
 * A directory asset's files, written to disk by {@link DirectoryStager.write} before the asset exists, so that
 * the caller can drop their contents; {@link DirectoryStager.stage} makes it the asset.
 */
export interface WrittenFiles {
  /** The files' hash (the asset's custom hash). */
  readonly assetHash: string;
  /** Where the files are now. */
  readonly path: string;
  /** The staged directory the files are renamed to by `stage` (unset: they stay at `path`). */
  readonly target?: string;
  /** Whether `path` is the asset's own source directory (asset staging is disabled: `cdk synth --no-staging`). */
  readonly source: boolean;
}

/**
 * Stages directory assets (Helm charts) whose hash is the files' hash, computed once: the CDK fingerprinting
 * thousands of chart files again would cost a second pass. The CDK stages a directory of custom hash `h` by
 * copying it to `asset.<sha256(h)>` in the assembly's asset directory, unless that exists. The stager writes
 * the files there itself (under a temporary name, renamed into place), and gives every asset one empty
 * directory as its source: the CDK finds each staged and copies nothing. That saves writing the files to a
 * scratch directory, the CDK listing and copying them, and removing them: removing a directory is the slow
 * part on a journaled file system (about 2.5 ms each, in wall time), so the stager removes one directory,
 * its empty source, in {@link close}, whatever the number of charts. Wherever else the CDK stages an asset
 * (a directory of its own when staging is disabled), the files are written there.
 *
 * A delivery of many charts writes each chart as soon as it is checked ({@link write}: under its temporary
 * name, so the assembly holds nothing yet) and keeps only its paths, then stages them all once every chart
 * is checked; {@link close} removes what was written and never staged.
 */
export class DirectoryStager {
  private source?: string;
  private readonly pending = new Set<string>();

  /** Stages `files` (or files {@link write} wrote) as the directory asset `id` of `scope`. */
  public stage(scope: IConstruct, id: string, files: ReadonlyMap<string, string> | WrittenFiles): StagedAsset {
    const stage = stageOf(scope);
    const written = isWritten(files) ? files : this.write(scope, files);
    if (written.source) {
      // staging disabled: the asset is its source, a directory of its own, which stays
      const asset = new s3assets.Asset(scope, id, { path: written.path, assetHash: written.assetHash, assetHashType: AssetHashType.CUSTOM });
      return { asset, path: path.resolve(stage.outdir, asset.assetPath) };
    }
    const target = written.target ?? written.path;
    const placed = written.target !== undefined && this.place(written.path, target);
    this.source ??= fs.mkdtempSync(path.resolve(stage.assetOutdir, SCRATCH_PREFIX));
    const asset = new s3assets.Asset(scope, id, { path: this.source, assetHash: written.assetHash, assetHashType: AssetHashType.CUSTOM });
    const staged = path.resolve(stage.outdir, asset.assetPath);
    if (staged !== target) {
      // a CDK that names staged assets otherwise copied the empty source there: fill its copy
      fs.cpSync(target, staged, { recursive: true });
      if (placed) fs.rmSync(target, { recursive: true, force: true });
    }
    return { asset, path: staged };
  }

  /**
   * Writes `files` for a directory asset of `scope` that {@link stage} creates later: under a temporary name
   * next to the directory the CDK stages it in (nothing is staged yet), or nowhere if that directory exists
   * (same hash, same files).
   */
  public write(scope: IConstruct, files: ReadonlyMap<string, string>): WrittenFiles {
    const stage = stageOf(scope);
    const assetHash = hashFiles(files);
    if (scope.node.tryGetContext(DISABLE_ASSET_STAGING_CONTEXT)) {
      const dir = fs.mkdtempSync(path.resolve(stage.outdir, `${SCRATCH_PREFIX}helm-chart-`));
      writeFiles(dir, files);
      return { assetHash, path: dir, source: true };
    }
    const target = path.resolve(stage.assetOutdir, `asset.${createHash('sha256').update(assetHash).digest('hex')}`);
    if (fs.existsSync(target)) return { assetHash, path: target, source: false };
    const temporary = fs.mkdtempSync(`${target}.tmp-`);
    this.pending.add(temporary);
    writeFiles(temporary, files);
    return { assetHash, path: temporary, target, source: false };
  }

  /** Removes the empty source directory and what was written and not staged (call it once every asset is staged, or on failure). */
  public close(): void {
    for (const dir of this.pending) fs.rmSync(dir, { recursive: true, force: true });
    this.pending.clear();
    if (this.source !== undefined) fs.rmSync(this.source, { recursive: true, force: true });
    this.source = undefined;
  }

  /** Renames the written directory `temporary` to `target`; false if it was there already (another writer was first). */
  private place(temporary: string, target: string): boolean {
    this.pending.delete(temporary);
    try {
      fs.renameSync(temporary, target);
      return true;
    } catch (e) {
      fs.rmSync(temporary, { recursive: true, force: true });
      if (!fs.existsSync(target)) throw e;
      return false;
    }
  }
}

function isWritten(files: ReadonlyMap<string, string> | WrittenFiles): files is WrittenFiles {
  return 'assetHash' in files;
}

function stageOf(scope: IConstruct): Stage {
  const stage = Stage.of(scope);
  if (!stage) throw new ValidationError(`[${scope.node.path}] a chart asset must be defined within a Stage or an App (it is staged in the cloud assembly).`);
  return stage;
}

function sameContent(dir: string, files: ReadonlyMap<string, string>): boolean {
  const present = listFiles(dir);
  if (present.length !== files.size) return false;
  return present.every(rel => files.has(rel) && fs.readFileSync(path.join(dir, rel), 'utf-8') === files.get(rel));
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory()
    ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`)
    : [`${prefix}${e.name}`]);
}
