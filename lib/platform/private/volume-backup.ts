import { Annotations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { VolumeBackupAddOn, VolumeBackupAddOnProps } from '../../addons/backup/volume-backup-add-on';
import { IPlatformAddOn } from '../../addons/platform-add-on';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { PropValidator } from '../../workloads/private/validate';

/** Id of the warning a platform stack gives when its default volume backups cannot run on its cluster. */
export const VOLUME_BACKUP_UNAVAILABLE = 'cdk-k8s-platform:volumeBackupUnavailable';

/** The platform stack's add-ons and the volume backup among them (the stack's default, or the one given). */
export interface PlatformAddOns {
  readonly addOns: IPlatformAddOn[] | undefined;
  readonly volumeBackup?: VolumeBackupAddOn;
}

/**
 * Adds the default {@link VolumeBackupAddOn} to a platform stack's add-ons: unless `volumeBackup` is false or
 * `addOns` already hold one (that one is used). Where backups cannot run, the default is off with a warning
 * (an explicit options object is refused: its settings would be dropped).
 */
export function withVolumeBackup(scope: IConstruct, v: PropValidator, cluster: IPlatformCluster, props: {
  readonly volumeBackup?: boolean | VolumeBackupAddOnProps;
  readonly addOns?: IPlatformAddOn[];
  readonly encryptionKey?: kms.IKey;
}, unavailableReason: (c: IPlatformCluster) => string | undefined = VolumeBackupAddOn.unavailableReason): PlatformAddOns {
  const { volumeBackup: option, addOns } = props;
  v.check(option === undefined || typeof option === 'boolean' || (typeof option === 'object' && option !== null && !Array.isArray(option)), 'volumeBackup', option,
    'must be true, false or the options of the backups ({ schedule, retention, encryptionKey }).');
  if (option === false || (addOns !== undefined && !Array.isArray(addOns))) return { addOns };
  const given = addOns?.find(a => a instanceof VolumeBackupAddOn || a?.name === 'volume-backup');
  if (given !== undefined) {
    v.check(typeof option !== 'object', 'volumeBackup', shown(option),
      'conflicts with the VolumeBackupAddOn in addOns: give these options to that add-on, or drop it from addOns (the platform installs one by default).');
    return { addOns, volumeBackup: given instanceof VolumeBackupAddOn ? given : undefined };
  }
  const reason = unavailableReason(cluster);
  if (reason !== undefined) {
    const kind = cluster.distribution === ClusterDistribution.EKS ? 'EKS Auto Mode' : cluster.distribution;
    // asked for explicitly (true or options): refused; only the default turns itself off with a warning
    if (option !== undefined) return v.fail('volumeBackup', shown(option), `cannot be applied to ${cluster.node.path} (${kind}): it ${reason}`);
    Annotations.of(scope).addWarningV2(VOLUME_BACKUP_UNAVAILABLE,
      `volumeBackup (on by default) is off for ${cluster.node.path} (${kind}): it ${reason} Set volumeBackup: false to acknowledge.`);
    return { addOns };
  }
  const volumeBackup = new VolumeBackupAddOn({ encryptionKey: props.encryptionKey, ...(typeof option === 'object' ? option : {}) });
  return { addOns: [...addOns ?? [], volumeBackup], volumeBackup };
}

/** An options object as it reads in code, for error messages: `{ retention: 7 days, schedule: cron(0 3 * * ? *) }`. */
function shown(option: boolean | VolumeBackupAddOnProps | undefined): unknown {
  if (typeof option !== 'object') return option;
  const parts = [
    option.schedule !== undefined ? `schedule: ${option.schedule.expressionString}` : undefined,
    option.retention !== undefined ? `retention: ${option.retention.toHumanString()}` : undefined,
    option.encryptionKey !== undefined ? `encryptionKey: ${option.encryptionKey.node.path}` : undefined,
  ].filter(p => p !== undefined);
  return `{ ${parts.join(', ')} }`;
}
