import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App, Chart } from 'cdk8s';
import { NormalizeManifestsOptions, normalizeManifests } from './normalize-manifests';
import { ASSET_HASH, JsonValue, mapStrings } from './private/normalize';
import { ChartManifest, KubeObject, synthesizeManifests } from '../workloads/manifests';

/** What `platformSnapshot` can include besides the CloudFormation template. */
export type SnapshotManifests = App | Chart | readonly Chart[] | readonly ChartManifest[] | readonly KubeObject[];

/** Options of `platformSnapshot`. */
export interface PlatformSnapshotOptions extends NormalizeManifestsOptions {
  /**
   * Kubernetes manifests to snapshot with the stack: a cdk8s App, charts, `ChartManifest[]` (from
   * `synthesizeManifests`) or plain objects. Charts are validated and rendered with `synthesizeManifests`.
   *
   * @default - no manifests in the snapshot
   */
  readonly manifests?: SnapshotManifests;

  /**
   * Include the templates of nested stacks (keyed by construct path below the stack).
   *
   * @default true
   */
  readonly nestedStacks?: boolean;
}

/** A normalised, JSON-serialisable snapshot of a platform. */
export interface PlatformSnapshot {
  /** The stack's CloudFormation template, normalised. */
  readonly template: JsonValue;
  /** Templates of nested stacks by construct path relative to the stack (only when there are some). */
  readonly nestedStacks?: Record<string, JsonValue>;
  /** Normalised manifests by chart name (`manifests` for plain objects), when `manifests` was given. */
  readonly manifests?: Record<string, JsonValue[]>;
}

/**
 * Snapshots a platform stack (and optionally its Kubernetes manifests) with everything that changes
 * without the platform changing replaced by stable placeholders: asset hashes (`[ASSET_HASH]`), bootstrap
 * qualifiers (`[QUALIFIER]`), content-hashed Lambda version ids (`[VERSION_HASH]`), and CDK plumbing removed
 * (`CDKMetadata`, the `BootstrapVersion` parameter and rule, `aws:cdk:*` / `aws:asset:*` metadata).
 *
 * For jest: `expect(platformSnapshot(stack, { manifests: app })).toMatchSnapshot()`. This module does not
 * import jest.
 */
export function platformSnapshot(stack: Stack, options: PlatformSnapshotOptions = {}): PlatformSnapshot {
  const template = normalizeTemplate(Template.fromStack(stack).toJSON());
  let nestedStacks: Record<string, JsonValue> | undefined;
  if (options.nestedStacks ?? true) {
    for (const c of stack.node.findAll()) {
      if (c !== stack && NestedStack.isNestedStack(c) && c.nestedStackParent === stack) {
        nestedStacks = nestedStacks ?? {};
        nestedStacks[c.node.path.slice(stack.node.path.length + 1)] = normalizeTemplate(Template.fromStack(c).toJSON());
      }
    }
  }
  const manifests = options.manifests === undefined ? undefined : snapshotManifests(options.manifests, options);
  return {
    template,
    ...(nestedStacks ? { nestedStacks } : {}),
    ...(manifests ? { manifests } : {}),
  };
}

function snapshotManifests(source: SnapshotManifests, options: NormalizeManifestsOptions): Record<string, JsonValue[]> {
  let charts: ChartManifest[];
  if (source instanceof App || source instanceof Chart) {
    charts = synthesizeManifests(source);
  } else if (source.length > 0 && source.every(s => s instanceof Chart)) {
    charts = synthesizeManifests([...(source as readonly Chart[])]);
  } else if (source.length > 0 && source.every(s => isChartManifest(s))) {
    charts = [...(source as readonly ChartManifest[])];
  } else {
    charts = [{ name: 'manifests', objects: [...(source as readonly KubeObject[])] }];
  }
  const out: Record<string, JsonValue[]> = {};
  for (const c of charts) out[c.name] = normalizeManifests(c.objects, options);
  return out;
}

function isChartManifest(s: unknown): s is ChartManifest {
  return typeof s === 'object' && s !== null && typeof (s as ChartManifest).name === 'string' && Array.isArray((s as ChartManifest).objects);
}

const BOOTSTRAP_RESOURCE = /cdk-[a-z0-9]{1,10}-(assets|container-assets|deploy-role|cfn-exec-role|file-publishing-role|image-publishing-role|lookup-role)-/g;
const BOOTSTRAP_VERSION = /\/cdk-bootstrap\/[a-z0-9]{1,10}\//g;
const LEGACY_ASSET_PARAMETER = /AssetParameters[0-9a-f]{64}(S3Bucket|S3VersionKey|ArtifactHash)[0-9A-F]{8}/g;
/** Lambda `currentVersion` logical ids end in a 32-hex hash of the function's code and configuration. */
const VERSION_LOGICAL_ID = /^(.*[0-9A-F]{8})([0-9a-f]{32})$/;

/**
 * Normalises a CloudFormation template (as from `Template.fromStack(stack).toJSON()`); see
 * `platformSnapshot`. Returns a new object.
 */
export function normalizeTemplate(template: Readonly<Record<string, unknown>>): JsonValue {
  const t: Record<string, unknown> = { ...template };

  // CDK plumbing that changes with the CDK version, not with the platform
  const resources: Record<string, unknown> = { ...(t.Resources as Record<string, unknown> | undefined) };
  for (const [id, r] of Object.entries(resources)) {
    const res = r as { Type?: string; Metadata?: Record<string, unknown> };
    if (res?.Type === 'AWS::CDK::Metadata') {
      delete resources[id];
      continue;
    }
    if (res?.Metadata) {
      const metadata = Object.fromEntries(Object.entries(res.Metadata).filter(([k]) => !k.startsWith('aws:cdk:') && !k.startsWith('aws:asset:')));
      const copy: Record<string, unknown> = { ...res };
      if (Object.keys(metadata).length > 0) copy.Metadata = metadata;
      else delete copy.Metadata;
      resources[id] = copy;
    }
  }
  if (t.Resources !== undefined) t.Resources = resources;
  dropKey(t, 'Conditions', 'CDKMetadataAvailable');
  dropKey(t, 'Parameters', 'BootstrapVersion');
  dropKey(t, 'Rules', 'CheckBootstrapVersion');

  // content-hashed logical ids (Lambda versions): rename keys and every reference
  const renames = new Map<string, string>();
  for (const id of Object.keys(resources)) {
    const m = VERSION_LOGICAL_ID.exec(id);
    if (m && (resources[id] as { Type?: string })?.Type === 'AWS::Lambda::Version') renames.set(id, `${m[1]}[VERSION_HASH]`);
  }

  return mapStrings(t, s => {
    let out = s;
    // keys, Ref / Fn::GetAtt values, "Id.Attr" strings and Fn::Sub "${Id}" references
    for (const [from, to] of renames) if (out.includes(from)) out = out.split(from).join(to);
    return out
      .replace(LEGACY_ASSET_PARAMETER, 'AssetParameters[ASSET_HASH]$1')
      .replace(ASSET_HASH, '[ASSET_HASH]')
      .replace(BOOTSTRAP_RESOURCE, 'cdk-[QUALIFIER]-$1-')
      .replace(BOOTSTRAP_VERSION, '/cdk-bootstrap/[QUALIFIER]/');
  });
}

function dropKey(t: Record<string, unknown>, section: string, key: string): void {
  const s = t[section] as Record<string, unknown> | undefined;
  if (!s || !(key in s)) return;
  const copy = { ...s };
  delete copy[key];
  if (Object.keys(copy).length > 0) t[section] = copy;
  else delete t[section];
}
