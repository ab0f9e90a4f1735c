import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { CfnAddon } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { VOLUME_BACKUP_TAG, volumeBackupTagValue } from '../../clusters/eks/eks-addons';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { AssumptionError } from '../../errors';
import { acknowledge } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/** The CSI snapshot controller (EKS add-on, pinned): VolumeSnapshots, the restore path. */
export const SNAPSHOT_CONTROLLER_VERSION = 'v8.1.0-eksbuild.1';

/** The VolumeSnapshotClass of the EBS volumes (snapshots kept when their Kubernetes objects are deleted). */
export const EBS_SNAPSHOT_CLASS = 'ebs';

/** Props of the {@link VolumeBackupAddOn}. */
export interface VolumeBackupAddOnProps {
  /**
   * When the backups run (UTC).
   * @default events.Schedule.cron({ hour: '3', minute: '0' }) (daily at 03:00 UTC)
   */
  readonly schedule?: events.Schedule;
  /**
   * How long each backup is kept (at least one day).
   * @default Duration.days(35)
   */
  readonly retention?: Duration;
  /**
   * The key that encrypts the backup vault.
   * @default - the AWS managed key of AWS Backup
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Backs up every volume of the EKS cluster's gp3 StorageClass (every StatefulService volume unless it names
 * another class) with AWS Backup: an encrypted vault (retained with its recovery points when the stack is
 * deleted) and a plan, daily by default, keeping each backup 35 days. The volumes are selected by the tag the
 * EBS CSI driver puts on each new volume once the add-on is installed (`platform.cdk-k8s.io/backup=<cluster
 * name>`). Installing it records the class as backed up in `cluster.traits`. Restore: docs/storage.md.
 *
 * Not on k3s or kubeadm: their local-path volumes live on the nodes' disks and no service can back them up
 * per volume; the install says so and what to use instead.
 */
export class VolumeBackupAddOn implements IPlatformAddOn {
  public readonly name = 'volume-backup';
  /** The plan, once installed. */
  public plan?: backup.BackupPlan;
  /** The vault, once installed. */
  public vault?: backup.BackupVault;

  constructor(private readonly props: VolumeBackupAddOnProps = {}) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = cdkPropValidator(cluster, 'VolumeBackupAddOn');
    const retention = this.props.retention ?? Duration.days(35);
    v.check(retention.toMinutes() >= Duration.days(1).toMinutes(), 'retention', retention.toHumanString(),
      'must be at least 1 day (AWS Backup deletes a recovery point no sooner): e.g. Duration.days(35).');
    if (cluster.distribution !== ClusterDistribution.EKS || !(cluster instanceof EksPlatformCluster)) {
      return v.fail('install(cluster)', `${cluster.node.path} (${cluster.distribution})`,
        'cannot get volume backups: the local-path volumes of k3s and kubeadm live on the nodes\' disks, which no service backs up per volume. '
        + 'Keep data that matters on the EFS add-on\'s class "efs" (its file system is backed up daily by AWS Backup) or in a managed database; docs/storage.md.');
    }
    const driver = cluster.addons.addons['aws-ebs-csi-driver']?.node.defaultChild as CfnAddon | undefined;
    if (!driver) {
      return v.fail('install(cluster)', `${cluster.node.path} (EKS Auto Mode)`,
        'cannot get volume backups yet: Auto Mode\'s own EBS driver takes no extra volume tags, and the tag cannot be added to the existing '
        + 'gp3 StorageClass (its parameters are immutable). Use managed node groups, or back up with your own StorageClass carrying tagSpecification_1; docs/storage.md.');
    }
    tagNewVolumes(driver, volumeBackupTagValue(cluster.cluster));
    const scope = new Construct(cluster, 'VolumeBackup');
    this.vault = new backup.BackupVault(scope, 'Vault', {
      backupVaultName: `${cluster.clusterName}-volumes`,
      encryptionKey: this.props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(scope, 'Plan', { backupPlanName: `${cluster.clusterName}-volumes`, backupVault: this.vault });
    this.plan.addRule(new backup.BackupPlanRule({
      ruleName: 'volumes',
      scheduleExpression: this.props.schedule ?? events.Schedule.cron({ hour: '3', minute: '0' }),
      deleteAfter: retention,
      startWindow: Duration.hours(1),
      completionWindow: Duration.hours(8),
    }));
    const selection = this.plan.addSelection('Volumes', {
      resources: [backup.BackupResource.fromArn(Stack.of(scope).formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' }))],
      allowRestores: true,
    });
    // Only this cluster's EBS volumes: their ARN AND the tag the EBS CSI driver gives them.
    (selection.node.defaultChild as backup.CfnBackupSelection).addPropertyOverride('BackupSelection.Conditions', {
      StringEquals: [{ ConditionKey: `aws:ResourceTag/${VOLUME_BACKUP_TAG}`, ConditionValue: volumeBackupTagValue(cluster.cluster) }],
    });
    acknowledge(selection, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason: 'AWS maintains the AWS Backup service role policies; the selection limits what they reach to this cluster\'s tagged volumes.',
    }, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      reason: 'AWS maintains the AWS Backup service role policies; restores create volumes from this vault\'s recovery points.',
    });
    const restore = restorePath(scope, cluster);
    const storageClass = cluster.traits.storageClass(cluster.traits.storageClassName);
    if (storageClass) cluster.traits.addAbilities({ storageClasses: [{ ...storageClass, backedUp: true }] });
    return new DependencyGroup(this.plan, restore);
  }
}

/**
 * Makes the EBS CSI driver tag every volume it creates from now on with {@link VOLUME_BACKUP_TAG}: an in-place
 * update of the EKS add-on's configuration. The StorageClass is left alone (its parameters are immutable: a
 * changed class would fail the deploy of every existing cluster). Volumes created before keep no tag: docs/storage.md
 * says how to tag them.
 */
function tagNewVolumes(driver: CfnAddon, value: string): void {
  const current: unknown = Stack.of(driver).resolve(driver.configurationValues);
  if (current !== undefined) {
    throw new AssumptionError(`the EBS CSI add-on already has configuration values (${String(current)}); merge them with the volume tags`);
  }
  driver.configurationValues = Stack.of(driver).toJsonString({ controller: { extraVolumeTags: { [VOLUME_BACKUP_TAG]: value } } });
}

/** The snapshot controller and an EBS VolumeSnapshotClass, so a claim can start from a VolumeSnapshot. */
function restorePath(scope: Construct, cluster: EksPlatformCluster): IDependable {
  const controller = new eks.Addon(scope, 'SnapshotController', {
    cluster: cluster.cluster,
    addonName: 'snapshot-controller',
    addonVersion: SNAPSHOT_CONTROLLER_VERSION,
    preserveOnDelete: false,
  });
  controller.node.addDependency(...cluster.addons.readiness);
  const snapshotClass = new eks.KubernetesManifest(scope, 'SnapshotClass', {
    cluster: cluster.cluster,
    overwrite: true,
    manifest: [{
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotClass',
      metadata: { name: EBS_SNAPSHOT_CLASS },
      driver: 'ebs.csi.aws.com',
      deletionPolicy: 'Retain',
    }],
    removalPolicy: RemovalPolicy.DESTROY,
  });
  snapshotClass.node.addDependency(controller);
  const ready = new DependencyGroup(controller, snapshotClass);
  cluster.workloadDependencies.push(ready);
  return ready;
}
