import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { DependencyGroup, IDependable } from 'constructs';
import { ebsChartValues, EbsCsiConfig, ebsServerCommands } from './private/ebs-csi-config';
import { EBS_CSI_SCOPE_ID, EbsCsiInstallation, ebsCsiInstalledOn } from './private/ebs-csi-installation';
import { ebsCsiControllerStatements, ebsCsiFindings } from './private/ebs-csi-policy';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { VOLUME_BACKUP_TAG } from '../../clusters/eks/eks-addons';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { serverAssociation } from '../../clusters/self-managed/private/server-association';
import { serverKubectl } from '../../clusters/self-managed/private/server-kubectl';
import { CLUSTER_TAG, SelfManagedClusterBase } from '../../clusters/self-managed/self-managed-cluster';
import { acknowledge, nagRegionAccount } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';
import { VolumeAccessMode } from '../../workloads';
import { IPlatformAddOn } from '../platform-add-on';

/**
 * The EBS CSI driver on k3s and kubeadm, pinned (EKS has the driver as an EKS add-on): the official Helm chart
 * 2.64.0 (tag helm-chart-aws-ebs-csi-driver-2.64.0, driver v1.64.0) with two values of the library's own
 * (`controller.hostNetwork`, `controller.healthPort`: the chart hard-codes neither), shipped packaged with the
 * library as version `2.64.0-cdkk8s.1` and installed from that archive, never downloaded.
 */
export const EBS_CSI_DRIVER = {
  /** Where the chart comes from (never contacted: the archive is installed). */
  repository: 'https://kubernetes-sigs.github.io/aws-ebs-csi-driver',
  chart: 'aws-ebs-csi-driver',
  /** The library's patched copy of the upstream chart `upstreamVersion`. */
  version: '2.64.0-cdkk8s.1',
  upstreamVersion: '2.64.0',
  appVersion: 'v1.64.0',
  /** The packaged chart, shipped with the library. */
  archive: path.join(__dirname, 'chart', 'aws-ebs-csi-driver-2.64.0-cdkk8s.1.tgz'),
} as const;

/** Props of the {@link EbsCsiAddOn}. */
export interface EbsCsiAddOnProps {
  /**
   * Name of the StorageClass (the same as on EKS, so charts move between cluster kinds).
   * @default 'gp3'
   */
  readonly storageClassName?: string;
  /**
   * Make the class the default of StatefulService volumes that name none (`traits.storageClassName`),
   * instead of the node-local `local-path`. Claims that exist keep their class and data.
   * @default true
   */
  readonly defaultStorageClass?: boolean;
  /**
   * The key that encrypts the volumes.
   * @default - the cluster's `encryptionKey` when it has one, otherwise the account's EBS default key (aws/ebs)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Tag every new volume with `platform.cdk-k8s.io/backup=<cluster name>`, the tag VolumeBackupAddOn selects
   * (as on EKS). A SelfManagedPlatformStack with `volumeBackup: false` turns it off.
   * @default true
   */
  readonly volumeBackupTag?: boolean;
}

const ACCESS_MODES = [VolumeAccessMode.READ_WRITE_ONCE, VolumeAccessMode.READ_WRITE_ONCE_POD];

/**
 * EBS volumes on k3s and kubeadm: the library's copy of the EBS CSI driver's chart (`EBS_CSI_DRIVER`, installed
 * from the archive the library ships) through the cluster's Helm controller, in kube-system, and a StorageClass
 * `gp3` (encrypted, retained, bound in the zone of the pod, expandable) that becomes the default class of StatefulService volumes, so they outlive their node and can be backed up by
 * VolumeBackupAddOn. The controller runs on the servers only, one per server, and calls EC2 with their
 * instance role on the host network (IMDSv2, hop limit 1: other pods cannot reach it); the server role alone
 * gets its least permissions (this cluster's volumes and nodes only; agents' pods can change no volume).
 * `SelfManagedPlatformStack` installs it by default (`ebsCsi`). One add-on object installs on one cluster.
 *
 * Not on EKS: its platform stack already runs the `aws-ebs-csi-driver` EKS add-on and a gp3 class.
 */
export class EbsCsiAddOn implements IPlatformAddOn {
  /** The add-on installed on `cluster`, if any. */
  public static installedOn(cluster: IPlatformCluster): EbsCsiAddOn | undefined {
    return ebsCsiInstalledOn(cluster);
  }

  public readonly name = 'ebs-csi';
  /** Every new volume will carry the tag VolumeBackupAddOn selects (`volumeBackupTag`). */
  public readonly tagsVolumesForBackup: boolean;
  /** The StorageClass, once installed. */
  public storageClassName?: string;
  /** The `platform.cdk-k8s.io/backup` tag value every new volume carries, once installed (none when `volumeBackupTag` is false). */
  public volumeBackupTagValue?: string;
  /** The association that writes the StorageClass, once installed. */
  public serverConfig?: ssm.CfnAssociation;
  private cluster?: IPlatformCluster;

  constructor(private readonly props: EbsCsiAddOnProps = {}) {
    this.tagsVolumesForBackup = props.volumeBackupTag ?? true;
  }

  public install(cluster: IPlatformCluster): IDependable {
    const v = cdkPropValidator(cluster, 'EbsCsiAddOn');
    const shown = `${cluster.node.path} (${cluster.distribution})`;
    if (cluster.distribution === ClusterDistribution.EKS) {
      return v.fail('install(cluster)', shown, 'already has EBS volumes: an EksPlatformStack runs the aws-ebs-csi-driver EKS add-on and its gp3 StorageClass '
        + '(EKS Auto Mode its own driver). Drop EbsCsiAddOn from addOns.');
    }
    if (!(cluster instanceof SelfManagedClusterBase)) {
      return v.fail('install(cluster)', shown, 'must be a SelfManagedPlatformStack cluster (k3s or kubeadm) of this library.');
    }
    v.check(cluster.node.tryFindChild(EBS_CSI_SCOPE_ID) === undefined, 'install(cluster)', shown,
      'already has the EBS CSI driver (a SelfManagedPlatformStack installs the EbsCsiAddOn given in addOns, or its own): install EbsCsiAddOn once per cluster.');
    v.check(this.cluster === undefined, 'install(cluster)', shown, `is a second cluster for this EbsCsiAddOn (installed on ${this.cluster?.node.path}): give each cluster its own new EbsCsiAddOn().`);
    const name = v.dnsSubdomain('storageClassName', this.props.storageClassName ?? 'gp3');
    const other = cluster.traits.storageClass(name);
    v.check(other === undefined, 'storageClassName', name, `is already a StorageClass of ${shown} (${other?.nodeLocal ? 'node-local' : 'another add-on\'s'}): pick another name.`);
    const key = this.props.encryptionKey ?? cluster.encryptionKey;
    this.volumeBackupTagValue = this.tagsVolumesForBackup ? cluster.clusterName : undefined;
    const config: EbsCsiConfig = {
      clusterName: cluster.clusterName,
      storageClassName: name,
      imageTag: EBS_CSI_DRIVER.appVersion,
      extraVolumeTags: this.volumeBackupTagValue !== undefined ? { [VOLUME_BACKUP_TAG]: this.volumeBackupTagValue } : {},
      kmsKeyArn: key?.keyArn,
      classTag: `${CLUSTER_TAG}=${cluster.clusterName}`,
      controllerReplicas: cluster.serverCount,
    };
    this.grantController(cluster, key);
    const ready = this.installDriver(cluster, config);
    this.cluster = cluster;
    this.storageClassName = name;
    cluster.traits.addAbilities({
      storageClasses: [{ name, accessModes: ACCESS_MODES }],
      defaultStorageClassName: (this.props.defaultStorageClass ?? true) ? name : undefined,
    });
    return ready;
  }

  /** The controller runs on the servers only (the chart's affinity): the server role alone gets its least permissions. */
  private grantController(cluster: SelfManagedClusterBase, key: kms.IKey | undefined): void {
    const statements = ebsCsiControllerStatements(Stack.of(cluster), {
      clusterName: cluster.clusterName, nodeTag: { key: CLUSTER_TAG, value: cluster.clusterName }, encryptionKey: key,
    });
    statements.forEach(s => cluster.serverRole.addToPrincipalPolicy(s));
    acknowledge(cluster.serverRole, ...ebsCsiFindings(nagRegionAccount(cluster.serverRole), key === undefined));
  }

  /**
   * The library's copy of the chart (node plugin privileged, in kube-system as EFS's), from its archive, and
   * the association that writes the class, on every deploy and every 30 minutes.
   */
  private installDriver(cluster: SelfManagedClusterBase, config: EbsCsiConfig): IDependable {
    const scope = new EbsCsiInstallation(cluster, EBS_CSI_SCOPE_ID, this);
    this.serverConfig = serverAssociation(scope, 'ServerConfig', {
      targets: cluster.workloadSync.targets,
      commands: ebsServerCommands(serverKubectl(cluster.distribution), config),
      timeout: Duration.minutes(30),
      schedule: 'rate(30 minutes)',
    });
    const chart = cluster.addHelmChart(this.name, {
      repository: EBS_CSI_DRIVER.repository,
      chart: EBS_CSI_DRIVER.chart,
      version: EBS_CSI_DRIVER.version,
      chartArchive: EBS_CSI_DRIVER.archive,
      namespace: 'kube-system',
      createNamespace: false,
      values: ebsChartValues(config),
    });
    return new DependencyGroup(chart, this.serverConfig);
  }
}
