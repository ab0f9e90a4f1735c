import { IConstruct } from 'constructs';
import { prepareObjects, sortForApply, toYamlDocument } from './render';
import { ChartManifest, KubeObject } from '../../workloads';
import type { ManifestClaimTemplate, ManifestInventoryEntry } from '../manifest-file-asset';

/** First line of every manifest file: the format and its version. */
export const MANIFEST_FILE_HEADER = '# cdk-k8s-platform manifest v1';

/** First line of a manifest bundle: several manifest files in one S3 object. */
export const MANIFEST_BUNDLE_HEADER = '# cdk-k8s-platform manifest bundle v1';

/** A manifest file (format v1) rendered in memory, with what the delivery layer reports about it. */
export interface RenderedManifestFile {
  /** The file's id on the server (its inventory's name, the objects' delivery label). */
  readonly deliveryId: string;
  /** The file's text: header, then one document per object. Ends with a newline. */
  readonly text: string;
  readonly inventory: ManifestInventoryEntry[];
  readonly claimTemplates: ManifestClaimTemplate[];
}

/**
 * Renders charts into one manifest file (format v1, see `ManifestFileAsset`): the objects labelled with the
 * library and `deliveryId`, in Helm's install order, the inventory in `# object:` header lines.
 */
export function renderManifestFile(scope: IConstruct, kind: string, deliveryId: string, manifests: ChartManifest[]): RenderedManifestFile {
  const objects = sortForApply(prepareObjects(scope, kind, manifests, deliveryId).flatMap(m => m.objects));
  const inventory = objects.map(o => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name!,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  }));
  const header = [
    MANIFEST_FILE_HEADER,
    `# delivery: ${deliveryId}`,
    `# objects: ${inventory.length}`,
    ...inventory.map(e => `# object: ${e.apiVersion}|${e.kind}|${e.namespace ?? ''}|${e.name}`),
  ];
  const docs = objects.map(o => `---\n${withNewline(toYamlDocument(o))}`).join('');
  return {
    deliveryId,
    text: `${header.join('\n')}\n${docs}`,
    inventory,
    claimTemplates: objects.filter(o => o.kind === 'StatefulSet').flatMap(o => claimTemplatesOf(o)),
  };
}

/**
 * Several manifest files as ONE text (one S3 object, so a delivery costs one object grant and one line of the
 * sync association however many charts it has):
 *
 * ```text
 * # cdk-k8s-platform manifest bundle v1
 * # delivery: <delivery id>
 * # files: <n>
 * # file: <file id> <number of lines>      (one line per file, in apply order)
 * <the files' text, one after the other>
 * ```
 *
 * The node-side sync splits it by the line counts (every file ends with a newline), so no line of a file
 * is ever taken for a separator. The concatenation is itself a valid multi-document YAML stream.
 */
export function renderManifestBundle(deliveryId: string, files: ReadonlyArray<{ readonly deliveryId: string; readonly text: string }>): string {
  const texts = files.map(f => withNewline(f.text));
  const header = [
    MANIFEST_BUNDLE_HEADER,
    `# delivery: ${deliveryId}`,
    `# files: ${files.length}`,
    ...files.map((f, i) => `# file: ${f.deliveryId} ${lineCount(texts[i])}`),
  ];
  return `${header.join('\n')}\n${texts.join('')}`;
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function claimTemplatesOf(o: KubeObject): ManifestClaimTemplate[] {
  const spec = (o as { spec?: { volumeClaimTemplates?: Array<{ metadata?: { name?: string }; spec?: { storageClassName?: string } }> } }).spec;
  return (spec?.volumeClaimTemplates ?? []).map(t => ({
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    statefulSet: o.metadata.name!,
    template: t.metadata?.name ?? '',
    ...(t.spec?.storageClassName ? { storageClassName: t.spec.storageClassName } : {}),
  }));
}
