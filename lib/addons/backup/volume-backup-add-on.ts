import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type { CfnAddon } from 'aws-cdk-lib/aws-eks';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { selfManagedReason } from './private/self-managed-reason';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { VOLUME_BACKUP_TAG, volumeBackupTagValue } from '../../clusters/eks/eks-addons';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { AssumptionError } from '../../errors';
import { acknowledge, CDK_DEFAULT_POLICY } from '../../private/nag';
import { cdkPropValidator } from '../../private/validate';
import { EBS_CSI_DRIVER } from '../../workloads/private/csi-drivers';
import type { EbsCsiAddOn } from '../ebs-csi/ebs-csi-add-on';
import { ebsCsiInstalledOn } from '../ebs-csi/private/ebs-csi-installation';
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
 * name>`); AWS Backup snapshots them with a role of its own that may snapshot only volumes carrying this tag.
 * Installing it records the class as backed up in `cluster.traits`, and on EKS that claims may start from a
 * VolumeSnapshot (`traits.volumeSnapshots`: it installs the snapshot controller). Restore: docs/storage.md.
 *
 * The platform stacks install it by default (their `volumeBackup` prop); one given in their `addOns` takes the
 * place of the default.
 *
 * On k3s and kubeadm it needs the {@link EbsCsiAddOn} (SelfManagedPlatformStack installs it by default): its
 * controller tags every new gp3 volume; restore there is a {@link RestoredVolume}. Without it the volumes are
 * local-path directories on the nodes' disks, which no service backs up per volume: the install says so and
 * what to use instead.
 */
export class VolumeBackupAddOn implements IPlatformAddOn {
  /**
   * Why volume backups cannot run on `cluster`, or `undefined` when they can (EKS with managed node groups; k3s or
   * kubeadm with an {@link EbsCsiAddOn} that tags its volumes).
   * The platform stacks turn their default backups off with a warning that gives this reason.
   */
  public static unavailableReason(cluster: IPlatformCluster): string | undefined {
    if (cluster.distribution !== ClusterDistribution.EKS || !(cluster instanceof EksPlatformCluster)) {
      return selfManagedReason(ebsCsiInstalledOn(cluster));
    }
    if (!cluster.addons.addons['aws-ebs-csi-driver']) {
      return 'cannot get volume backups yet: Auto Mode\'s own EBS driver takes no extra volume tags, and the tag cannot be added to the existing '
        + 'gp3 StorageClass (its parameters are immutable). Use managed node groups, or back up with your own StorageClass carrying tagSpecification_1; docs/storage.md.';
    }
    return undefined;
  }

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
    const unavailable = VolumeBackupAddOn.unavailableReason(cluster);
    if (unavailable !== undefined) {
      const kind = cluster.distribution === ClusterDistribution.EKS ? 'EKS Auto Mode' : cluster.distribution;
      return v.fail('install(cluster)', `${cluster.node.path} (${kind})`, unavailable);
    }
    v.check(cluster.node.tryFindChild('VolumeBackup') === undefined, 'install(cluster)', cluster.node.path,
      'already has volume backups (a platform stack installs them by default): tune them with the stack\'s volumeBackup options, or give this add-on in its addOns.');
    const scope = new Construct(cluster, 'VolumeBackup');
    let tagValue: string;
    let backedUpClass: string;
    let ready: IDependable;
    if (cluster instanceof EksPlatformCluster) {
      tagValue = volumeBackupTagValue(cluster.cluster);
      tagNewVolumes(cluster.addons.addons['aws-ebs-csi-driver']!.node.defaultChild as CfnAddon, tagValue);
      ready = restorePath(scope, cluster);
      backedUpClass = cluster.traits.storageClassName;
      cluster.traits.addAbilities({ volumeSnapshots: true });
    } else {
      // k3s, kubeadm: the EbsCsiAddOn's controller tags every new volume; restore is a static PersistentVolume (RestoredVolume).
      const ebs = ebsCsiInstalledOn(cluster)!;
      tagValue = ebs.volumeBackupTagValue!;
      backedUpClass = ebs.storageClassName!;
      ready = new DependencyGroup();
    }
    this.createPlan(scope, cluster.clusterName, retention, tagValue);
    const storageClass = cluster.traits.storageClass(backedUpClass);
    if (storageClass) cluster.traits.addAbilities({ storageClasses: [{ ...storageClass, backedUp: true }] });
    return new DependencyGroup(this.plan!, ready);
  }

  /** The retained vault, the plan and its selection: this cluster's EBS volumes carrying the backup tag. */
  private createPlan(scope: Construct, clusterName: string, retention: Duration, tagValue: string): void {
    this.vault = new backup.BackupVault(scope, 'Vault', {
      backupVaultName: `${clusterName}-volumes`,
      encryptionKey: this.props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(scope, 'Plan', { backupPlanName: `${clusterName}-volumes`, backupVault: this.vault });
    this.plan.addRule(new backup.BackupPlanRule({
      ruleName: 'volumes',
      scheduleExpression: this.props.schedule ?? events.Schedule.cron({ hour: '3', minute: '0' }),
      deleteAfter: retention,
      startWindow: Duration.hours(1),
      completionWindow: Duration.hours(8),
    }));
    const selection = this.plan.addSelection('Volumes', {
      resources: [backup.BackupResource.fromArn(Stack.of(scope).formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' }))],
      role: backupRole(scope, this.vault, tagValue),
      disableDefaultBackupPolicy: true,
    });
    // Only this cluster's EBS volumes: their ARN AND the tag the EBS CSI driver gives them.
    (selection.node.defaultChild as backup.CfnBackupSelection).addPropertyOverride('BackupSelection.Conditions', {
      StringEquals: [{ ConditionKey: `aws:ResourceTag/${VOLUME_BACKUP_TAG}`, ConditionValue: tagValue }],
    });
  }
}

/**
 * The role AWS Backup assumes for the plan: the EBS part of AWSBackupServiceRolePolicyForBackup, narrowed to
 * snapshots of this cluster's tagged volumes, this vault and this region. Restores need no role here: a
 * VolumeSnapshotImport restores through the EBS CSI driver (docs/storage.md).
 */
function backupRole(scope: Construct, vault: backup.IBackupVault, tagValue: string): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    description: 'AWS Backup: snapshots of the cluster\'s tagged EBS volumes into its vault',
  });
  const snapshots = stack.formatArn({ service: 'ec2', account: '', resource: 'snapshot', resourceName: '*' });
  const volumes = stack.formatArn({ service: 'ec2', resource: 'volume', resourceName: '*' });
  const statements: iam.PolicyStatementProps[] = [
    { sid: 'SnapshotTaggedVolumes', actions: ['ec2:CreateSnapshot'], resources: [volumes], conditions: { StringEquals: { [`aws:ResourceTag/${VOLUME_BACKUP_TAG}`]: tagValue } } },
    { sid: 'CreateSnapshots', actions: ['ec2:CreateSnapshot', 'ec2:CreateTags'], resources: [snapshots] },
    { sid: 'ExpireBackupSnapshots', actions: ['ec2:DeleteSnapshot'], resources: [snapshots], conditions: { Null: { 'aws:ResourceTag/aws:backup:source-resource': 'false' } } },
    { sid: 'Describe', actions: ['ec2:DescribeVolumes', 'ec2:DescribeSnapshots', 'ec2:DescribeTags', 'tag:GetResources'], resources: ['*'] },
    { sid: 'Vault', actions: ['backup:DescribeBackupVault', 'backup:CopyIntoBackupVault'], resources: [vault.backupVaultArn] },
    { sid: 'TagRecoveryPoints', actions: ['backup:TagResource'], resources: [stack.formatArn({ service: 'backup', resource: 'recovery-point', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })] },
    { sid: 'EncryptedVolumeKeys', actions: ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'], resources: [kmsKeys(stack)], conditions: { StringLike: { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` } } },
    { sid: 'EncryptedSnapshotGrants', actions: ['kms:CreateGrant'], resources: [kmsKeys(stack)], conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
  ];
  statements.forEach(s => role.addToPolicy(new iam.PolicyStatement(s)));
  acknowledge(role, CDK_DEFAULT_POLICY, ...backupRoleFindings(stack).map(([resource, reason]) => ({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason })));
  return role;
}

function kmsKeys(stack: Stack): string {
  return stack.formatArn({ service: 'kms', account: '*', resource: 'key', resourceName: '*' });
}

/** The backup role's wildcard findings, as cdk-nag names them (the stack's region and account when it has them). */
function backupRoleFindings(stack: Stack): Array<[string, string]> {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return [
    ['*', 'ec2:Describe* and tag:GetResources cannot be scoped to a resource; AWS Backup lists the volumes and snapshots to select and track.'],
    [`arn:<AWS::Partition>:ec2:${region}:${account}:volume/*`, 'CreateSnapshot on volumes is allowed only for volumes carrying this cluster\'s backup tag (condition aws:ResourceTag).'],
    [`arn:<AWS::Partition>:ec2:${region}::snapshot/*`, 'A snapshot\'s id is made when AWS Backup creates it; deletion is limited to snapshots AWS Backup made (aws:backup:source-resource tag).'],
    [`arn:<AWS::Partition>:backup:${region}:${account}:recovery-point:*`, 'AWS Backup tags each recovery point it creates; their ids are not known beforehand.'],
    [`arn:<AWS::Partition>:kms:${region}:*:key/*`, 'The keys of encrypted volumes (aws/ebs or an account default key), used only through EC2 in this region or for grants to AWS resources.'],
  ];
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
      driver: EBS_CSI_DRIVER,
      deletionPolicy: 'Retain',
    }],
    removalPolicy: RemovalPolicy.DESTROY,
  });
  snapshotClass.node.addDependency(controller);
  const ready = new DependencyGroup(controller, snapshotClass);
  cluster.workloadDependencies.push(ready);
  return ready;
}

