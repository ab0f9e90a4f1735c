/**
 * Deliveries for model tests: charts rendered to manifest files exactly as `addWorkloads` ships them (one
 * file per chart in one bundle, `ChartManifestFiles`; or one file of several charts, `ManifestFileAsset`, the
 * layout before), and the sync script rendered as the association runs it.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Chart } from 'cdk8s';
import { ModelCluster } from './model-server';
import { renderScript } from '../../../lib/clusters/self-managed/private/render';
import { ChartManifestFiles, MANIFEST_FILE_HEADER, ManifestFileAsset } from '../../../lib/delivery';
import { renderManifestBundle } from '../../../lib/delivery/private/manifest-file';

/** The sync script's file. */
export const SYNC_SCRIPT = path.join(__dirname, '../../../lib/clusters/self-managed/scripts/sync-workloads.sh');

/** A rendered delivery: its id and text (a manifest file, or a bundle of them). */
export interface RenderedDelivery {
  readonly id: string;
  readonly text: string;
}

/** Renders charts into ONE manifest file with the id `id` (a delivery of the layout before one file per chart). */
export function renderDelivery(id: string, charts: Chart[]): RenderedDelivery {
  const asset = new ManifestFileAsset(new Stack(new App(), 'render'), 'Delivery', { charts, deliveryId: id });
  return { id, text: fs.readFileSync(asset.filePath, 'utf8') };
}

/** Renders charts into the bundle `addWorkloads(id, charts)` uploads: one manifest file per chart. */
export function renderWorkloads(id: string, charts: Chart[]): RenderedDelivery {
  const delivery = new ChartManifestFiles(new Stack(new App(), 'render'), 'Delivery', { charts, deliveryId: id });
  return { id, text: fs.readFileSync(delivery.bundlePath, 'utf8') };
}

/**
 * Publishes the deliveries where the model's `aws s3 cp` finds them and returns the sync script the
 * association would run for them (same file, same placeholders as `SelfManagedClusterBase`). A single
 * manifest file is shipped as a bundle of that one file, named like it; any other text as it is.
 */
export function syncScriptFor(cluster: ModelCluster, mode: 'k3s' | 'kubeadm', deliveries: RenderedDelivery[]): string {
  const lines = deliveries.map(d => {
    const text = d.text.startsWith(`${MANIFEST_FILE_HEADER}\n`) ? renderManifestBundle(d.id, [{ deliveryId: d.id, text: d.text }]) : d.text;
    const name = `${createHash('sha256').update(text).digest('hex')}.yaml`;
    fs.writeFileSync(path.join(cluster.deliveryFiles, name), text);
    return `${d.id} s3://cdk-assets-111111111111-eu-west-1/${name}`;
  });
  return renderScript([SYNC_SCRIPT], { MODE: mode, REGION: 'eu-west-1', DELIVERIES: lines.join('\n') });
}
