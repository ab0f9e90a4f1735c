import { Stack } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { synthesizeManifests } from '../workloads';
import { DeploymentBudget } from './deployment-budget';
import { MANIFEST_FILE_HEADER as FILE_HEADER, renderManifestFile } from './private/manifest-file';
import { stagedAsset } from './private/render';
import { PropValidator } from '../workloads/private/validate';

/** Props of a {@link ManifestFileAsset}. */
export interface ManifestFileAssetProps {
  /** The cdk8s charts to deliver (validated and rendered at synth time). */
  readonly charts: Chart[];
  /**
   * Identifies this delivery on the cluster: the value of the label `platform.cdk-k8s.io/delivery` on
   * every object (a label value: at most 63 letters, digits, '-', '_', '.').
   * @default - the construct id
   */
  readonly deliveryId?: string;
}

/** One object of a delivery, as the inventory lists it. */
export interface ManifestInventoryEntry {
  /** e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** e.g. `Deployment`. */
  readonly kind: string;
  /**
   * `metadata.namespace`.
   * @default - none (cluster-scoped, or the default namespace)
   */
  readonly namespace?: string;
  /** `metadata.name`. */
  readonly name: string;
}

/** A StatefulSet's claim template, as the delivery ships it. */
export interface ManifestClaimTemplate {
  /**
   * The StatefulSet's namespace.
   * @default - none (the default namespace)
   */
  readonly namespace?: string;
  /** The StatefulSet's name. */
  readonly statefulSet: string;
  /** The claim template's name (claims are `<template>-<statefulSet>-<ordinal>`). */
  readonly template: string;
  /**
   * The template's StorageClass.
   * @default - none (the cluster's default class)
   */
  readonly storageClassName?: string;
}

/** First line of every manifest file: the format and its version. */
export const MANIFEST_FILE_HEADER: string = FILE_HEADER;

/**
 * All objects of some cdk8s charts as ONE multi-document YAML file, uploaded as an S3 file asset: the
 * delivery format for self-managed clusters (k3s, kubeadm), whose nodes fetch and apply it.
 *
 * ## File format (v1)
 *
 * ```yaml
 * # cdk-k8s-platform manifest v1
 * # delivery: <deliveryId>
 * # objects: <n>
 * # object: <apiVersion>|<kind>|<namespace>|<name>      (one line per object, in file order)
 * ---
 * <object 1>
 * ---
 * <object 2>
 * ```
 *
 * - The header is YAML comments only (ignored by `kubectl apply -f`), then one `---`-separated document per
 *   object. An empty `<namespace>` means the object sets none (cluster-scoped, or the default namespace).
 *   No field contains `|` or spaces (Kubernetes names and kinds cannot).
 * - Objects are in Helm's install order (Namespaces, CRDs, ServiceAccounts, ConfigMaps... before
 *   Deployments, Ingresses, webhooks); within a kind, in chart order. A custom resource whose CRD is in
 *   the same file may need a second apply once the CRD is established.
 * - Every object carries the labels `app.kubernetes.io/managed-by: cdk-k8s-platform` and
 *   `platform.cdk-k8s.io/delivery: <deliveryId>` (labels already set in the code are kept). The header is
 *   the delivery's inventory: the node-side sync records it in the cluster and deletes an object only when
 *   an earlier inventory lists it and no current one does (never by a label query: controllers copy labels
 *   onto the claims and Endpoints they make).
 * - YAML 1.1 quoting (as Kubernetes parses it), no line folding, no anchors; deterministic: the same
 *   charts give the same bytes and the same asset hash.
 *
 * The same inventory is available at synth time as `inventory`.
 */
export class ManifestFileAsset extends Construct {
  /** The manifest file in S3 (uploaded as is, not zipped). */
  public readonly asset: s3assets.Asset;
  /** Number of objects in the file. */
  public readonly objectCount: number;
  /** Every object in the file, in file order. */
  public readonly inventory: ManifestInventoryEntry[];
  /** The delivery's id (value of the `platform.cdk-k8s.io/delivery` label). */
  public readonly deliveryId: string;
  /** Path of the file in the cloud assembly (the staged asset; nothing is written outside the app's outdir). */
  public readonly filePath: string;
  /** The claim templates of the delivery's StatefulSets (what holds data on the cluster). */
  public readonly claimTemplates: ManifestClaimTemplate[];

  constructor(scope: Construct, id: string, props: ManifestFileAssetProps) {
    super(scope, id);
    const v = new PropValidator(this, 'ManifestFileAsset');
    v.check(Array.isArray(props.charts) && props.charts.length > 0 && props.charts.every(c => Chart.isChart(c)), 'charts',
      Array.isArray(props.charts) ? props.charts.map(c => c?.node?.id ?? c) : props.charts, 'must be a non-empty list of cdk8s charts (new PlatformChart(app, "shop", { traits })).');
    this.deliveryId = v.labelValue(props.deliveryId === undefined ? 'deliveryId (from the construct id)' : 'deliveryId', props.deliveryId ?? id);
    v.check(this.deliveryId !== '', 'deliveryId', this.deliveryId, 'must not be empty.');

    const file = renderManifestFile(this, 'ManifestFileAsset', this.deliveryId, synthesizeManifests(props.charts));
    this.objectCount = file.inventory.length;
    this.inventory = file.inventory;
    this.claimTemplates = file.claimTemplates;
    const text = file.text;
    const staged = stagedAsset(this, 'File', 'manifest', new Map([[`${this.deliveryId}.yaml`, text]]), `${this.deliveryId}.yaml`);
    this.filePath = staged.path;
    this.asset = staged.asset;
    DeploymentBudget.apply(Stack.of(this));
  }
}
