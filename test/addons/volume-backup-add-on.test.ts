import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { App as Cdk8sApp, Size } from 'cdk8s';
import { ClusterCapacity, EksPlatformStack, PlatformChart, SelfManagedDistribution, SelfManagedPlatformStack, StatefulService, synthesizeManifests } from '../../lib';
import { VolumeBackupAddOn, VolumeSnapshotImport } from '../../lib/addons/backup';
import { EbsCsiAddOn } from '../../lib/addons/ebs-csi';
import { EfsAddOn } from '../../lib/addons/efs';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests } from '../support/k8s-check';

describe('EKS: AWS Backup of every gp3 volume, selected by the tag the class puts on it', () => {
  const app = new App();
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', addOns: [new VolumeBackupAddOn()] });
  const template = Template.fromStack(stack);

  test('the EBS CSI driver tags every new volume with the cluster name; the StorageClass is left alone', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'aws-ebs-csi-driver',
      ConfigurationValues: JSON.stringify({ controller: { extraVolumeTags: { 'platform.cdk-k8s.io/backup': 'acme' } } }),
    });
    // A StorageClass's parameters are immutable: changing them would fail every existing cluster's next deploy.
    const manifest = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .map(r => JSON.stringify(r.Properties.Manifest)).find(m => m.includes('\\"name\\":\\"gp3\\"'))!;
    expect(manifest).toContain('\\"parameters\\":{\\"type\\":\\"gp3\\",\\"encrypted\\":\\"true\\",\\"fsType\\":\\"ext4\\"}');
  });

  test('with backups off the EBS CSI add-on has no configuration', () => {
    const plain = Template.fromStack(new EksPlatformStack(new App(), 'plain', { platformName: 'plain', volumeBackup: false }));
    const [driver] = Object.values(plain.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'aws-ebs-csi-driver' } }));
    expect(driver.Properties.ConfigurationValues).toBeUndefined();
  });

  test('EKS Auto Mode: refused, saying why and what to do', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'auto', {
      platformName: 'auto', capacity: ClusterCapacity.autoMode(), addOns: [new VolumeBackupAddOn()],
    }))).toContain('VolumeBackupAddOn.install(cluster) is "auto/Eks (EKS Auto Mode)": cannot get volume backups yet');
  });

  test('an encrypted vault kept with its recovery points; a daily plan keeping 35 days', () => {
    template.hasResource('AWS::Backup::BackupVault', { Properties: { BackupVaultName: 'acme-volumes' }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: 'acme-volumes',
        BackupPlanRule: [{ RuleName: 'volumes', ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 35 }, StartWindowMinutes: 60, CompletionWindowMinutes: 480 }],
      },
    });
  });

  test('the selection: EBS volumes AND the tag of this cluster', () => {
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain(':volume/*');
    const [condition] = selection.Properties.BackupSelection.Conditions.StringEquals;
    expect(condition.ConditionKey).toBe('aws:ResourceTag/platform.cdk-k8s.io/backup');
    expect(condition.ConditionValue).toBe('acme');
    expect(selection.Properties.BackupSelection.ListOfTags).toBeUndefined();
  });

  test('least privilege: the backup role has no managed policy and may snapshot only this cluster\'s tagged volumes', () => {
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    const roleId = selection.Properties.BackupSelection.IamRoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'backup.amazonaws.com' } })]);
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Sid: string; Action: string | string[]; Condition?: unknown; Resource: unknown }>;
    const bySid = Object.fromEntries(statements.map(st => [st.Sid, st]));
    expect(bySid.SnapshotTaggedVolumes).toMatchObject({ Action: 'ec2:CreateSnapshot', Condition: { StringEquals: { 'aws:ResourceTag/platform.cdk-k8s.io/backup': 'acme' } } });
    expect(JSON.stringify(bySid.SnapshotTaggedVolumes.Resource)).toContain(':volume/*');
    expect(bySid.ExpireBackupSnapshots).toMatchObject({ Action: 'ec2:DeleteSnapshot', Condition: { Null: { 'aws:ResourceTag/aws:backup:source-resource': 'false' } } });
    expect(bySid.Vault.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/VolumeBackupVault/), 'BackupVaultArn'] });
    // The only actions on every resource are the ones that cannot be scoped (reads).
    const unscoped = statements.filter(st => st.Resource === '*').flatMap(st => ([] as string[]).concat(st.Action));
    expect(unscoped.sort()).toEqual(['ec2:DescribeSnapshots', 'ec2:DescribeTags', 'ec2:DescribeVolumes', 'tag:GetResources']);
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSBackupServiceRolePolicyForRestores');
  });

  test('the restore path: the snapshot controller add-on (pinned) and an EBS VolumeSnapshotClass that keeps snapshots', () => {
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'snapshot-controller', AddonVersion: 'v8.1.0-eksbuild.1' });
    const manifest = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .map(r => r.Properties.Manifest).filter(m => typeof m === 'string').map(m => JSON.parse(m)).find(m => m[0]?.kind === 'VolumeSnapshotClass');
    expect(manifest).toEqual([{ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: expect.objectContaining({ name: 'ebs' }), driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' }]);
  });

  test('the traits say gp3 is backed up', () => {
    expect(stack.cluster.traits.storageClass('gp3')).toMatchObject({ backedUp: true });
    expect(new EksPlatformStack(new App(), 'other', { platformName: 'other', volumeBackup: false }).cluster.traits.storageClass('gp3')!.backedUp).toBeUndefined();
  });

  test('a customer key encrypts the vault; retention and schedule are yours', () => {
    const other = new EksPlatformStack(new App(), 'keyed', { platformName: 'keyed', volumeBackup: false });
    const key = new kms.Key(other, 'Key');
    new VolumeBackupAddOn({ encryptionKey: key, retention: Duration.days(7) }).install(other.cluster);
    const t = Template.fromStack(other);
    const [vault] = Object.values(t.findResources('AWS::Backup::BackupVault'));
    expect(vault.Properties.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
    t.hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: [{ Lifecycle: { DeleteAfterDays: 7 } }] } });
  });
});

describe('restore at synth: a StatefulService volume from an imported EBS snapshot', () => {
  // the traits of a cluster whose VolumeBackupAddOn installed the snapshot controller
  const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme' });
  const chart = new PlatformChart(new Cdk8sApp(), 'shop', { traits: stack.cluster.traits, namespace: 'shop' });
  const imported = new VolumeSnapshotImport(chart, 'db-data-2026-12-01', { snapshotId: 'snap-0123456789abcdef0' });
  new StatefulService(chart, 'db', {
    image: 'postgres:16.4',
    ports: [{ name: 'postgres', port: 5432 }],
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(10), fromSnapshot: imported.name }],
  });
  const [manifest] = synthesizeManifests(chart);
  const objects = manifest.objects;

  test('a VolumeSnapshotContent (cluster-scoped, kept) bound to a VolumeSnapshot in the namespace', () => {
    const content = objects.find(o => o.kind === 'VolumeSnapshotContent')!;
    expect(content.metadata).toEqual({ name: 'shop-db-data-2026-12-01' });
    expect(content.spec).toEqual({
      deletionPolicy: 'Retain',
      driver: 'ebs.csi.aws.com',
      source: { snapshotHandle: 'snap-0123456789abcdef0' },
      volumeSnapshotClassName: 'ebs',
      volumeSnapshotRef: { name: 'db-data-2026-12-01', namespace: 'shop' },
    });
    const snapshot = objects.find(o => o.kind === 'VolumeSnapshot')!;
    expect(snapshot).toMatchObject({ metadata: { name: 'db-data-2026-12-01', namespace: 'shop' }, spec: { source: { volumeSnapshotContentName: 'shop-db-data-2026-12-01' } } });
  });

  test('the claim starts from it; everything else passes the project\'s checks', () => {
    const set = objects.find(o => o.kind === 'StatefulSet')!;
    expect((set.spec as any).volumeClaimTemplates[0].spec.dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'db-data-2026-12-01' }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expectValidManifests(objects, { allowUnknownKinds: ['snapshot.storage.k8s.io/VolumeSnapshotContent', 'snapshot.storage.k8s.io/VolumeSnapshot'] });
  });

  test('the traits say so only where the backup add-on installs the snapshot controller', () => {
    expect(stack.cluster.traits.volumeSnapshots).toBe(true);
    expect(new EksPlatformStack(new App(), 'plain', { platformName: 'plain', volumeBackup: false }).cluster.traits.volumeSnapshots).toBe(false);
  });

  test.each(['k3s', 'kubeadm'] as const)('%s: no snapshot controller, so the import is refused, pointing to RestoredVolume', kind => {
    const distribution = kind === 'k3s' ? SelfManagedDistribution.k3s() : SelfManagedDistribution.kubeadm();
    const selfManaged = new SelfManagedPlatformStack(new App(), 'sm', { platformName: 'sm', distribution });
    expect(selfManaged.cluster.traits.volumeSnapshots).toBe(false);
    const shop = new PlatformChart(new Cdk8sApp(), 'shop', { traits: selfManaged.cluster.traits, namespace: 'shop' });
    expect(expectThrownMessage(() => new VolumeSnapshotImport(shop, 'db-data', { snapshotId: 'snap-0123456789abcdef0' }))).toBe(
      '[shop/db-data] VolumeSnapshotImport.snapshotId is "snap-0123456789abcdef0": cannot be restored on this cluster: it runs no CSI snapshot controller '
      + '(the chart\'s traits.volumeSnapshots is false), so the VolumeSnapshot kind is unknown or never ready. On EKS install the VolumeBackupAddOn '
      + '(the platform stacks do by default) and build the chart with cluster.traits; on k3s and kubeadm make a volume from the snapshot and reserve it '
      + 'for the claim with a RestoredVolume (docs/storage.md, "Restore").');
    expect(expectThrownMessage(() => new StatefulService(shop, 'db', {
      image: 'postgres:16.4',
      ports: [{ name: 'postgres', port: 5432 }],
      volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(10), fromSnapshot: 'db-data' }],
    }))).toMatch(/^\[shop\/db\] StatefulService\.volumes\[0\]\.fromSnapshot is "db-data": needs the CSI snapshot controller.*restore with a RestoredVolume/);
  });

  test('a snapshot id that is not one, or a chart without a namespace, is refused', () => {
    expect(expectThrownMessage(() => new VolumeSnapshotImport(chart, 'bad', { snapshotId: 'vol-0123456789abcdef0' })))
      .toContain('VolumeSnapshotImport.snapshotId is "vol-0123456789abcdef0": must be an EBS snapshot id such as "snap-0123456789abcdef0"');
    const bare = new PlatformChart(new Cdk8sApp(), 'bare', { traits: chart.traits });
    expect(expectThrownMessage(() => new VolumeSnapshotImport(bare, 'x', { snapshotId: 'snap-0123456789abcdef0' })))
      .toContain('VolumeSnapshotImport.namespace is undefined: must be set on the PlatformChart');
  });
});

describe('bad input', () => {
  test('a retention under a day', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'e', { platformName: 'acme', addOns: [new VolumeBackupAddOn({ retention: Duration.hours(12) })] })))
      .toBe('[e/Eks] VolumeBackupAddOn.retention is "12 hours": must be at least 1 day (AWS Backup deletes a recovery point no sooner): e.g. Duration.days(35).');
  });

  test.each([
    ['k3s', SelfManagedDistribution.k3s()],
    ['kubeadm', SelfManagedDistribution.kubeadm()],
  ])('%s without the EBS CSI add-on: refused, saying what is backed up instead', (kind, distribution) => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', distribution, ebsCsi: false, addOns: [new VolumeBackupAddOn()] })))
      .toBe(`[k/Cluster] VolumeBackupAddOn.install(cluster) is "k/Cluster (${kind})": cannot get volume backups: without the EBS CSI add-on `
        + '(SelfManagedPlatformStack\'s ebsCsi, on by default) its volumes are local-path directories on the nodes\' disks, which no service backs up per volume. '
        + 'Install EbsCsiAddOn (its gp3 volumes are backed up), or keep data that matters on the EFS add-on\'s class "efs" (backed up daily by AWS Backup) '
        + 'or in a managed database; docs/storage.md.');
  });

  test('k3s with an EBS CSI add-on that does not tag its volumes: refused, saying why', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', {
      platformName: 'acme', addOns: [new EbsCsiAddOn({ volumeBackupTag: false }), new VolumeBackupAddOn()],
    }))).toBe('[k/Cluster] VolumeBackupAddOn.install(cluster) is "k/Cluster (k3s)": cannot get volume backups: its EbsCsiAddOn was given volumeBackupTag: false, '
      + 'so no volume carries the tag the backups select. Drop volumeBackupTag: false; docs/storage.md.');
  });

  test('installed by hand on a stack that already backs up (the default): refused, saying how to tune it', () => {
    const stack = new EksPlatformStack(new App(), 'twice', { platformName: 'acme' });
    expect(expectThrownMessage(() => new VolumeBackupAddOn({ retention: Duration.days(7) }).install(stack.cluster)))
      .toBe('[twice/Eks] VolumeBackupAddOn.install(cluster) is "twice/Eks": already has volume backups (a platform stack installs them by default): '
        + 'tune them with the stack\'s volumeBackup options, or give this add-on in its addOns.');
  });

  test('k3s: the gp3 and efs classes are the backed-up ones; without the EBS add-on, efs only', () => {
    const stack = new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', addOns: [new EfsAddOn()] });
    expect(stack.cluster.traits.storageClasses.filter(c => c.backedUp).map(c => c.name)).toEqual(['gp3', 'efs']);
    const plain = new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ebsCsi: false, addOns: [new EfsAddOn()] });
    expect(plain.cluster.traits.storageClasses.filter(c => c.backedUp).map(c => c.name)).toEqual(['efs']);
  });
});
