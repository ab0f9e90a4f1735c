/**
 * Backups on by default on both platform stacks (issue 18): the stacks install the VolumeBackupAddOn unless
 * told not to (on k3s and kubeadm it backs up the EBS CSI add-on's gp3 volumes); where backups cannot run (EKS
 * Auto Mode, k3s or kubeadm without the EBS add-on) the default is off with a warning.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { App as Cdk8sApp, Size } from 'cdk8s';
import { RestoredVolume, VolumeBackupAddOn } from '../../lib/addons/backup';
import { EbsCsiAddOn } from '../../lib/addons/ebs-csi';
import { ClusterCapacity } from '../../lib/clusters/eks';
import { EksPlatformStack, SelfManagedDistribution, SelfManagedPlatformStack } from '../../lib/platform';
import { PlatformChart } from '../../lib/workloads';
import { expectThrownMessage } from '../robustness/support';

const BACKUP_TYPES = ['AWS::Backup::BackupVault', 'AWS::Backup::BackupPlan', 'AWS::Backup::BackupSelection'];

/** How many AWS Backup resources of each type the stack has. */
function backupResources(stack: Stack): number[] {
  const template = Template.fromStack(stack);
  return BACKUP_TYPES.map(type => Object.keys(template.findResources(type)).length);
}

/** The texts of the volume-backup warnings of a stack. */
function backupWarnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('volumeBackup')).map(w => String(w.entry.data));
}

describe('EKS: on by default', () => {
  const app = new App();
  const key = new kms.Key(new Stack(app, 'keys'), 'Key');
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', encryptionKey: key });
  const template = Template.fromStack(stack);

  test('one vault (retained), one daily plan keeping 35 days, one selection of the tagged volumes', () => {
    expect(backupResources(stack)).toEqual([1, 1, 1]);
    template.hasResource('AWS::Backup::BackupVault', { Properties: { BackupVaultName: 'acme-volumes' }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanName: 'acme-volumes', BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'aws-ebs-csi-driver',
      ConfigurationValues: JSON.stringify({ controller: { extraVolumeTags: { 'platform.cdk-k8s.io/backup': 'acme' } } }),
    });
  });

  test('the vault is encrypted with the stack\'s key', () => {
    const [vault] = Object.values(template.findResources('AWS::Backup::BackupVault'));
    expect(JSON.stringify(vault.Properties.EncryptionKeyArn)).toContain('Key');
    expect(vault.Properties.EncryptionKeyArn).toBeDefined();
  });

  test('the stack exposes it as an add-on; gp3 is backed up; no warning', () => {
    expect(stack.volumeBackup).toBeInstanceOf(VolumeBackupAddOn);
    expect(stack.addOns['volume-backup']).toBeDefined();
    expect(stack.cluster.traits.storageClass('gp3')).toMatchObject({ backedUp: true });
    expect(backupWarnings(stack)).toEqual([]);
  });

  test('without a stack key, the vault uses AWS Backup\'s key', () => {
    const plain = new EksPlatformStack(new App(), 'plain', { platformName: 'plain' });
    const [vault] = Object.values(Template.fromStack(plain).findResources('AWS::Backup::BackupVault'));
    expect(vault.Properties.EncryptionKeyArn).toBeUndefined();
  });
});

describe('EKS: tuned, off, or given as an add-on', () => {
  test('an options object tunes schedule and retention', () => {
    const stack = new EksPlatformStack(new App(), 'tuned', {
      platformName: 'tuned',
      volumeBackup: { retention: Duration.days(7), schedule: events.Schedule.cron({ hour: '1', minute: '30' }) },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(30 1 * * ? *)', Lifecycle: { DeleteAfterDays: 7 } })] },
    });
  });

  test('volumeBackup: false: no backup resources, no volume tags, no warning', () => {
    const stack = new EksPlatformStack(new App(), 'off', { platformName: 'off', volumeBackup: false });
    expect(backupResources(stack)).toEqual([0, 0, 0]);
    expect(stack.volumeBackup).toBeUndefined();
    expect(stack.addOns['volume-backup']).toBeUndefined();
    const [driver] = Object.values(Template.fromStack(stack).findResources('AWS::EKS::Addon', { Properties: { AddonName: 'aws-ebs-csi-driver' } }));
    expect(driver.Properties.ConfigurationValues).toBeUndefined();
    expect(backupWarnings(stack)).toEqual([]);
  });

  test('a VolumeBackupAddOn in addOns takes the place of the default: one vault, its settings', () => {
    const given = new VolumeBackupAddOn({ retention: Duration.days(10) });
    const stack = new EksPlatformStack(new App(), 'given', { platformName: 'given', addOns: [given] });
    expect(backupResources(stack)).toEqual([1, 1, 1]);
    expect(stack.volumeBackup).toBe(given);
    Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 10 } })] } });
  });

  test('options AND an add-on in addOns: refused, saying which to keep', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'both', {
      platformName: 'both', volumeBackup: { retention: Duration.days(7) }, addOns: [new VolumeBackupAddOn()],
    }))).toBe('[both] EksPlatformStack.volumeBackup is "{ retention: 7 days }": conflicts with the VolumeBackupAddOn in addOns: give these options to that add-on, '
      + 'or drop it from addOns (the platform installs one by default).');
  });

  test('a value that is not a boolean or an options object is refused', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'bad', { platformName: 'bad', volumeBackup: 'daily' as unknown as boolean })))
      .toBe('[bad] EksPlatformStack.volumeBackup is "daily": must be true, false or the options of the backups ({ schedule, retention, encryptionKey }).');
  });
});

const AUTO_MODE_REASON = 'cannot get volume backups yet: Auto Mode\'s own EBS driver takes no extra volume tags, and the tag cannot be added to the existing '
  + 'gp3 StorageClass (its parameters are immutable). Use managed node groups, or back up with your own StorageClass carrying tagSpecification_1; docs/storage.md.';

describe('EKS Auto Mode: off by default, with a warning', () => {
  test('no backup resources; the warning says why and how to acknowledge', () => {
    const stack = new EksPlatformStack(new App(), 'auto', { platformName: 'auto', capacity: ClusterCapacity.autoMode() });
    expect(backupResources(stack)).toEqual([0, 0, 0]);
    expect(stack.volumeBackup).toBeUndefined();
    expect(backupWarnings(stack)).toEqual([
      `volumeBackup (on by default) is off for auto/Eks (EKS Auto Mode): it ${AUTO_MODE_REASON} Set volumeBackup: false to acknowledge. `
      + '[ack: cdk-k8s-platform:volumeBackupUnavailable]',
    ]);
  });

  test('its traits name Auto Mode\'s own EBS driver, so a RestoredVolume is refused at synth', () => {
    const stack = new EksPlatformStack(new App(), 'auto', { platformName: 'auto', capacity: ClusterCapacity.autoMode(), volumeBackup: false });
    expect(stack.cluster.traits.storageClass('gp3')?.provisioner).toBe('ebs.csi.eks.amazonaws.com');
    const chart = new PlatformChart(new Cdk8sApp(), 'auto', { traits: stack.cluster.traits, namespace: 'shop' });
    expect(expectThrownMessage(() => new RestoredVolume(chart, 'db-data-0', {
      volumeId: 'vol-0123456789abcdef0', availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), statefulService: 'db', volume: 'data',
    }))).toContain('RestoredVolume.storageClassName is "gp3": is provisioned by ebs.csi.eks.amazonaws.com');
  });

  test('volumeBackup: false silences it; an options object is refused', () => {
    const off = new EksPlatformStack(new App(), 'auto', { platformName: 'auto', capacity: ClusterCapacity.autoMode(), volumeBackup: false });
    expect(backupWarnings(off)).toEqual([]);
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'auto', {
      platformName: 'auto', capacity: ClusterCapacity.autoMode(), volumeBackup: { retention: Duration.days(7) },
    }))).toBe(`[auto] EksPlatformStack.volumeBackup is "{ retention: 7 days }": cannot be applied to auto/Eks (EKS Auto Mode): it ${AUTO_MODE_REASON}`);
  });
});

describe('k3s and kubeadm: on by default through the EBS CSI add-on; without it, a warning says what can be backed up', () => {
  test.each([
    ['k3s', SelfManagedDistribution.k3s()],
    ['kubeadm', SelfManagedDistribution.kubeadm()],
  ])('%s: the gp3 volumes are backed up, no warning', (_kind, distribution) => {
    const stack = new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', distribution });
    expect(backupResources(stack)).toEqual([1, 1, 1]);
    expect(stack.volumeBackup).toBeInstanceOf(VolumeBackupAddOn);
    expect(stack.cluster.traits.storageClass('gp3')).toMatchObject({ backedUp: true });
    expect(backupWarnings(stack)).toEqual([]);
  });

  test.each([
    ['k3s', SelfManagedDistribution.k3s()],
    ['kubeadm', SelfManagedDistribution.kubeadm()],
  ])('%s with ebsCsi: false: no backup resources, one warning', (kind, distribution) => {
    const stack = new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', distribution, ebsCsi: false });
    expect(backupResources(stack)).toEqual([0, 0, 0]);
    expect(stack.volumeBackup).toBeUndefined();
    expect(backupWarnings(stack)).toEqual([
      `volumeBackup (on by default) is off for k/Cluster (${kind}): it cannot get volume backups: without the EBS CSI add-on (SelfManagedPlatformStack's ebsCsi, `
      + 'on by default) its volumes are local-path directories on the nodes\' disks, which no service backs up per volume. Install EbsCsiAddOn (its gp3 volumes '
      + 'are backed up), or keep data that matters on the EFS add-on\'s class "efs" (backed up daily by AWS Backup) or in a managed database; docs/storage.md. '
      + 'Set volumeBackup: false to acknowledge. [ack: cdk-k8s-platform:volumeBackupUnavailable]',
    ]);
  });

  test('volumeBackup: false acknowledges it: no warning, no backup', () => {
    const stack = new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ebsCsi: false, volumeBackup: false });
    expect(backupWarnings(stack)).toEqual([]);
    expect(backupResources(new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', volumeBackup: false }))).toEqual([0, 0, 0]);
  });

  test('without the EBS add-on an options object is refused: its settings could not be applied', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', {
      platformName: 'acme', ebsCsi: false, volumeBackup: { retention: Duration.days(7), schedule: events.Schedule.cron({ hour: '1', minute: '0' }) },
    }))).toMatch(/^\[k\] SelfManagedPlatformStack\.volumeBackup is "\{ schedule: cron\(0 1 \* \* \? \*\), retention: 7 days \}": cannot be applied to k\/Cluster \(k3s\): it cannot get volume backups: without the EBS CSI add-on/);
  });

  test('without the EBS add-on an explicit volumeBackup: true is refused too: only the default turns itself off', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ebsCsi: false, volumeBackup: true })))
      .toMatch(/^\[k\] SelfManagedPlatformStack\.volumeBackup is true: cannot be applied to k\/Cluster \(k3s\): it cannot get volume backups: without the EBS CSI add-on/);
  });
});

describe('SelfManagedPlatformStack.ebsCsi', () => {
  test('false together with an EbsCsiAddOn in addOns is refused: the add-on would install the driver anyway', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'kk', ebsCsi: false, addOns: [new EbsCsiAddOn()] })))
      .toBe('[k] SelfManagedPlatformStack.ebsCsi is false: cannot be false while addOns holds an EbsCsiAddOn, which installs the driver anyway: '
        + 'drop ebsCsi: false to use yours, or remove the EbsCsiAddOn to have no EBS volumes.');
  });
});
