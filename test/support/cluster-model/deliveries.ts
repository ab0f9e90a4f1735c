/**
 * Deliveries for model tests: charts rendered to manifest files exactly as `addWorkloads` ships them
 * (`ManifestFileAsset`), and the sync script rendered as the association runs it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Chart } from 'cdk8s';
import { ModelCluster } from './model-server';
import { renderScript } from '../../../lib/clusters/self-managed/private/render';
import { ManifestFileAsset } from '../../../lib/delivery';

/** The sync script's file. */
export const SYNC_SCRIPT = path.join(__dirname, '../../../lib/clusters/self-managed/scripts/sync-workloads.sh');

/** A rendered delivery: its id and manifest file text. */
export interface RenderedDelivery {
  readonly id: string;
  readonly text: string;
}

/** Renders charts into the manifest file `addWorkloads(id, charts)` uploads. */
export function renderDelivery(id: string, charts: Chart[]): RenderedDelivery {
  const asset = new ManifestFileAsset(new Stack(new App(), 'render'), 'Delivery', { charts, deliveryId: id });
  return { id, text: fs.readFileSync(asset.filePath, 'utf8') };
}

/**
 * Publishes the deliveries' files where the model's `aws s3 cp` finds them and returns the sync script the
 * association would run for them (same file, same placeholders as `SelfManagedClusterBase`).
 */
export function syncScriptFor(cluster: ModelCluster, mode: 'k3s' | 'kubeadm', deliveries: RenderedDelivery[]): string {
  const lines = deliveries.map(d => {
    const name = `${require('crypto').createHash('sha256').update(d.text).digest('hex')}.yaml`;
    fs.writeFileSync(path.join(cluster.deliveryFiles, name), d.text);
    return `${d.id} s3://cdk-assets-111111111111-eu-west-1/${name}`;
  });
  return renderScript([SYNC_SCRIPT], { MODE: mode, REGION: 'eu-west-1', DELIVERIES: lines.join('\n') });
}
