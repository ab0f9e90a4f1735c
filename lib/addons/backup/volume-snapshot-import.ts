import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { PlatformChart } from '../../workloads/platform-chart';
import { EBS_CSI_DRIVER } from '../../workloads/private/csi-drivers';
import { PropValidator } from '../../workloads/private/validate';

/** Props of a {@link VolumeSnapshotImport}. */
export interface VolumeSnapshotImportProps {
  /** The EBS snapshot to restore from (e.g. the snapshot of an AWS Backup recovery point: `snap-0123456789abcdef0`). */
  readonly snapshotId: string;
  /**
   * Name of the VolumeSnapshot (give it to `StatefulVolume.fromSnapshot`).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The CSI driver that made the snapshot.
   * @default 'ebs.csi.aws.com' (EKS Auto Mode: 'ebs.csi.eks.amazonaws.com')
   */
  readonly driver?: string;
  /**
   * The VolumeSnapshotClass.
   * @default 'ebs' (the class VolumeBackupAddOn creates)
   */
  readonly volumeSnapshotClassName?: string;
}

const EBS_SNAPSHOT = /^snap-[0-9a-f]{8,17}$/;

/**
 * Brings an existing EBS snapshot into the chart's namespace as a CSI VolumeSnapshot (a pre-provisioned
 * VolumeSnapshotContent that keeps the snapshot when deleted, and the VolumeSnapshot bound to it), so a
 * StatefulService volume can start from it: `fromSnapshot: imported.name`. The restore path of
 * docs/storage.md. Needs the CSI snapshot controller (VolumeBackupAddOn installs it on EKS and records it in
 * `cluster.traits.volumeSnapshots`); refused where the chart's traits say there is none (k3s and kubeadm: restore
 * there with a {@link RestoredVolume}).
 */
export class VolumeSnapshotImport extends Construct {
  /** Name of the VolumeSnapshot. */
  public readonly name: string;
  /** The VolumeSnapshotContent (cluster-scoped). */
  public readonly content: ApiObject;
  /** The VolumeSnapshot. */
  public readonly snapshot: ApiObject;

  constructor(scope: Construct, id: string, props: VolumeSnapshotImportProps) {
    super(scope, id);
    const v = new PropValidator(this, 'VolumeSnapshotImport');
    const chart = PlatformChart.of(this);
    v.check(typeof props.snapshotId === 'string' && EBS_SNAPSHOT.test(props.snapshotId), 'snapshotId', props.snapshotId,
      'must be an EBS snapshot id such as "snap-0123456789abcdef0" (AWS Backup console: the recovery point\'s snapshot).');
    this.name = v.dnsSubdomain('name', props.name ?? id);
    v.check(chart.traits.volumeSnapshots, 'snapshotId', props.snapshotId, 'cannot be restored on this cluster: it runs no CSI snapshot controller '
      + '(the chart\'s traits.volumeSnapshots is false), so the VolumeSnapshot kind is unknown or never ready. On EKS install the VolumeBackupAddOn '
      + '(the platform stacks do by default) and build the chart with cluster.traits; on k3s and kubeadm make a volume from the snapshot and reserve it '
      + 'for the claim with a RestoredVolume (docs/storage.md, "Restore").');
    const namespace = chart.namespace;
    v.check(namespace !== undefined, 'namespace', namespace, 'must be set on the PlatformChart: a VolumeSnapshot lives in the namespace of the claims restored from it.');
    const contentName = `${namespace}-${this.name}`;
    v.dnsSubdomain('name', contentName);
    const className = props.volumeSnapshotClassName ?? 'ebs';
    this.content = new ApiObject(this, 'Content', {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: { name: contentName },
      spec: {
        deletionPolicy: 'Retain',
        driver: props.driver ?? EBS_CSI_DRIVER,
        source: { snapshotHandle: props.snapshotId },
        volumeSnapshotClassName: className,
        volumeSnapshotRef: { name: this.name, namespace },
      },
    });
    // cdk8s puts the chart's namespace on every object; a VolumeSnapshotContent is cluster-scoped
    this.content.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    this.snapshot = new ApiObject(this, 'Snapshot', {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: this.name, namespace },
      spec: { volumeSnapshotClassName: className, source: { volumeSnapshotContentName: contentName } },
    });
  }
}
