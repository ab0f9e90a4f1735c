import type { EbsCsiAddOn } from '../../ebs-csi/ebs-csi-add-on';

/**
 * Why a k3s or kubeadm cluster cannot get volume backups, given its EBS CSI add-on (installed, or about to
 * be): none (local-path only), or one that does not tag its volumes.
 */
export function selfManagedReason(ebs: EbsCsiAddOn | undefined): string | undefined {
  if (ebs === undefined) {
    return 'cannot get volume backups: without the EBS CSI add-on (SelfManagedPlatformStack\'s ebsCsi, on by default) its volumes are local-path '
      + 'directories on the nodes\' disks, which no service backs up per volume. Install EbsCsiAddOn (its gp3 volumes are backed up), or keep data that matters '
      + 'on the EFS add-on\'s class "efs" (backed up daily by AWS Backup) or in a managed database; docs/storage.md.';
  }
  if (!ebs.tagsVolumesForBackup) {
    return 'cannot get volume backups: its EbsCsiAddOn was given volumeBackupTag: false, so no volume carries the tag the backups select. '
      + 'Drop volumeBackupTag: false; docs/storage.md.';
  }
  return undefined;
}
