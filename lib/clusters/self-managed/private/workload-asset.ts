import { Annotations } from 'aws-cdk-lib';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ChartManifestFiles } from '../../../delivery/chart-manifest-files';

/** StorageClasses whose volumes live on one node's disk: the node's replacement deletes their data. */
const NODE_LOCAL_CLASSES = new Set(['local-path']);

/**
 * The charts of one delivery as one multi-document YAML file PER CHART (the delivery layer's format v1:
 * every object labelled with the library and the file's delivery id, the inventory in `# object:` header
 * lines), named `<id>-<chart>` (`<id>` for the chart named like the delivery), all in ONE S3 object (a
 * bundle the sync splits), so a delivery costs one object grant and one association line. Warns when a StatefulSet keeps
 * its data on a node's disk (a template that names no class gets the cluster's default, local-path on k3s and
 * kubeadm).
 */
export function workloadAssets(scope: Construct, id: string, charts: Chart[], defaultStorageClass = 'local-path'): ChartManifestFiles {
  const delivery = new ChartManifestFiles(scope, id, { charts, deliveryId: id });
  const files = delivery.files;
  const local = files.flatMap(f => f.claimTemplates).filter(t => NODE_LOCAL_CLASSES.has(t.storageClassName ?? defaultStorageClass));
  if (local.length > 0) {
    const names = local.map(t => `${t.namespace ?? 'default'}/${t.template}-${t.statefulSet}-*`).join(', ');
    Annotations.of(scope).addWarningV2('cdk-k8s-platform:nodeLocalVolumes',
      `addWorkloads('${id}'): the claims ${names} use the node-local StorageClass ${[...new Set(local.map(t => t.storageClassName ?? defaultStorageClass))].join(', ')}: `
      + 'their data lives on one node\'s disk and is deleted when that node is replaced or rolled (a new version, instance type or image). '
      + 'The claims are kept, the data is not: back it up, or keep data that matters in a database outside the cluster (docs/operations.md).');
  }
  return delivery;
}
