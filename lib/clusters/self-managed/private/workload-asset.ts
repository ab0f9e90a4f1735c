import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ManifestFileAsset } from '../../../delivery/manifest-file-asset';

/**
 * The charts of one delivery as one multi-document YAML S3 asset (the delivery layer's format v1: every
 * object labelled with the library and the delivery id, the inventory in `# object:` header lines).
 */
export function workloadAsset(scope: Construct, id: string, charts: Chart[]): s3assets.Asset {
  return new ManifestFileAsset(scope, id, { charts, deliveryId: id }).asset;
}
