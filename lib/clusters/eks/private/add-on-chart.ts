import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct, IDependable } from 'constructs';
import { addOnNamespaceLabels, ChartArchive, ResolvedAddOnHelmChart } from '../../private/add-on-helm-chart';

/** What an add-on chart needs of the EKS platform cluster. */
export interface AddOnChartHost {
  readonly cluster: eks.ICluster;
  readonly workloadDependencies: IDependable[];
}

/**
 * Installs an add-on's Helm chart with the cluster's kubectl/helm Lambda, in a namespace created first with
 * the chart's Pod Security labels (a packaged chart, `chartArchive`, as an S3 asset). Installed after the cluster's own controllers; rolled back on failure.
 */
export function installAddOnChart(scope: Construct, host: AddOnChartHost, chart: ResolvedAddOnHelmChart): eks.HelmChart {
  const release = new eks.HelmChart(scope, 'Release', {
    cluster: host.cluster,
    ...(chart.archive ? { chartAsset: chartAsset(scope, chart.archive) } : { repository: chart.repository, chart: chart.chart, version: chart.version }),
    release: chart.release,
    namespace: chart.namespace,
    values: chart.values,
    createNamespace: false,
    wait: true,
    atomic: true,
    timeout: chart.timeout,
  });
  if (chart.createNamespace) {
    const namespace = new eks.KubernetesManifest(scope, 'Namespace', {
      cluster: host.cluster,
      overwrite: true,
      prune: false,
      manifest: [{
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: chart.namespace, labels: addOnNamespaceLabels(chart) },
      }],
    });
    release.node.addDependency(namespace);
  }
  release.node.addDependency(...host.workloadDependencies, ...(chart.dependsOn ?? []));
  return release;
}

/**
 * A packaged chart as the asset the kubectl/helm Lambda installs: it unzips the asset and installs the
 * directory, so the asset is the chart's files (unpacked at synth, no Docker) zipped by the CDK, named by
 * the archive's hash (bundling starts from a directory: the archive's, of which only the archive is read).
 */
function chartAsset(scope: Construct, archive: ChartArchive): s3assets.Asset {
  return new s3assets.Asset(scope, 'Chart', {
    path: path.dirname(archive.path),
    assetHashType: AssetHashType.CUSTOM,
    assetHash: createHash('sha256').update(archive.content).digest('hex'),
    bundling: {
      image: DockerImage.fromRegistry('scratch'), // never used: the local bundling below always succeeds
      local: {
        tryBundle(outputDir: string): boolean {
          for (const [file, data] of archive.files) {
            fs.mkdirSync(path.dirname(path.join(outputDir, file)), { recursive: true });
            fs.writeFileSync(path.join(outputDir, file), data);
          }
          return true;
        },
      },
    },
  });
}
