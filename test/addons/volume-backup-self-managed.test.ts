/**
 * Volume backups on k3s and kubeadm (issue 18): the EBS CSI add-on's gp3 volumes, tagged by its controller,
 * backed up by the same vault, plan, selection and role as on EKS; restore through a RestoredVolume.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { App as Cdk8sApp, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterTraits, ManifestFileAsset, PlatformChart, SelfManagedDistribution, SelfManagedPlatformStack, StatefulService, StatefulServiceProps, synthesizeManifests, VolumeAccessMode } from '../../lib';
import { RestoredVolume, VolumeBackupAddOn } from '../../lib/addons/backup';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests } from '../support/k8s-check';

describe.each([
  ['k3s', SelfManagedDistribution.k3s()],
  ['kubeadm', SelfManagedDistribution.kubeadm()],
])('%s: on by default, the gp3 volumes the EBS CSI add-on tags', (_kind, distribution) => {
  const stack = new SelfManagedPlatformStack(new App(), 'acme-k3s', { platformName: 'acme', distribution });
  const template = Template.fromStack(stack);

  test('one retained vault, a daily plan keeping 35 days, a selection of this cluster\'s tagged EBS volumes', () => {
    expect(stack.volumeBackup).toBeInstanceOf(VolumeBackupAddOn);
    template.hasResource('AWS::Backup::BackupVault', { Properties: { BackupVaultName: 'acme-volumes' }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanName: 'acme-volumes', BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    expect(JSON.stringify(selection.Properties.BackupSelection.Resources)).toContain(':volume/*');
    expect(selection.Properties.BackupSelection.Conditions).toEqual({ StringEquals: [{ ConditionKey: 'aws:ResourceTag/platform.cdk-k8s.io/backup', ConditionValue: 'acme' }] });
  });

  test('the backup role snapshots only volumes carrying the tag the EBS controller puts on them', () => {
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    const roleId = selection.Properties.BackupSelection.IamRoleArn['Fn::GetAtt'][0];
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
    const snapshot = policy.Properties.PolicyDocument.Statement.find((st: { Sid: string }) => st.Sid === 'SnapshotTaggedVolumes');
    expect(snapshot.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/platform.cdk-k8s.io/backup': stack.ebsCsi!.volumeBackupTagValue } });
    expect(stack.ebsCsi!.volumeBackupTagValue).toBe('acme');
  });

  test('gp3 is the default class and backed up; no snapshot controller on the cluster; no warning', () => {
    expect(stack.cluster.traits.storageClassName).toBe('gp3');
    expect(stack.cluster.traits.storageClass('gp3')).toMatchObject({ backedUp: true });
    expect(Object.keys(template.findResources('AWS::EKS::Addon'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('volumeBackup'))).toEqual([]);
  });

  test('options tune it as on EKS', () => {
    const tuned = new SelfManagedPlatformStack(new App(), 'tuned', { platformName: 'tuned', distribution, volumeBackup: { retention: Duration.days(7) } });
    Template.fromStack(tuned).hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 7 } })] } });
  });
});

describe('without the EBS CSI add-on: off, with the warning that says what can be backed up', () => {
  test('ebsCsi: false: no backup resources, one warning naming EbsCsiAddOn and efs', () => {
    const stack = new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ebsCsi: false });
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::Backup::BackupPlan'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('volumeBackup')).map(w => w.entry.data)).toEqual([
      'volumeBackup (on by default) is off for k/Cluster (k3s): it cannot get volume backups: without the EBS CSI add-on (SelfManagedPlatformStack\'s ebsCsi, '
      + 'on by default) its volumes are local-path directories on the nodes\' disks, which no service backs up per volume. Install EbsCsiAddOn (its gp3 volumes '
      + 'are backed up), or keep data that matters on the EFS add-on\'s class "efs" (backed up daily by AWS Backup) or in a managed database; docs/storage.md. '
      + 'Set volumeBackup: false to acknowledge. [ack: cdk-k8s-platform:volumeBackupUnavailable]',
    ]);
  });

  test('an options object is refused there', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ebsCsi: false, volumeBackup: { retention: Duration.days(7) } })))
      .toMatch(/^\[k\] SelfManagedPlatformStack\.volumeBackup is "\{ retention: 7 days \}": cannot be applied to k\/Cluster \(k3s\): it cannot get volume backups: without the EBS CSI add-on/);
  });
});

describe('restore at synth: a StatefulService pod\'s claim bound to a volume made from a recovery point', () => {
  const stack = new SelfManagedPlatformStack(new App(), 'acme-k3s', { platformName: 'acme' });
  const chart = new PlatformChart(new Cdk8sApp(), 'shop', { traits: stack.cluster.traits, namespace: 'shop' });
  const base = { volumeId: 'vol-0123456789abcdef0', availabilityZone: 'eu-west-1a', size: Size.gibibytes(10), statefulService: 'db', volume: 'data' };
  const postgres: StatefulServiceProps = {
    image: 'postgres:16.4',
    ports: [{ name: 'postgres', port: 5432 }],
    runAsUser: 999,
    writablePaths: ['/tmp', '/var/run/postgresql'],
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(10) }],
  };
  const restored = new RestoredVolume(chart, 'db-data-0', base);
  new StatefulService(chart, 'db', postgres);
  const [manifest] = synthesizeManifests(chart);
  const objects = manifest.objects as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('a cluster-scoped PersistentVolume of the EBS volume, kept when released, pinned to its zone', () => {
    const pv = objects.find(o => o.kind === 'PersistentVolume');
    expect(pv.metadata).toEqual({ name: 'shop-data-db-0' });
    expect(pv.spec).toEqual({
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'gp3',
      volumeMode: 'Filesystem',
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data-db-0' },
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0', fsType: 'ext4' },
      // the well-known zone key (the driver reports both; topology.ebs.csi.aws.com/zone is deprecated)
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }] }] } },
    });
  });

  test('it is reserved for exactly the claim the StatefulSet makes for pod 0: same name, class, size and mode', () => {
    const sts = objects.find(o => o.kind === 'StatefulSet');
    const claim = sts.spec.volumeClaimTemplates[0];
    expect(`${claim.metadata.name}-${sts.metadata.name}-0`).toBe(restored.claimName);
    expect(claim.spec.storageClassName).toBe('gp3');
    expect(claim.spec.resources.requests.storage).toBe('10Gi');
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(sts.metadata.namespace).toBe('shop');
    expectValidManifests(objects);
  });

  test('the PersistentVolume comes before the StatefulSet that makes the claim, whichever is built first', () => {
    const order = (o: Array<{ kind: string }>) => o.map(x => x.kind).filter(k => k === 'PersistentVolume' || k === 'StatefulSet');
    expect(order(objects)).toEqual(['PersistentVolume', 'StatefulSet']);
    const later = new PlatformChart(new Cdk8sApp(), 'later', { traits: stack.cluster.traits, namespace: 'shop' });
    new StatefulService(later, 'db', { ...postgres, replicas: 2 });
    new RestoredVolume(later, 'db-data-1', { ...base, ordinal: 1 });
    new RestoredVolume(later, 'db-data-0', base);
    const rendered = synthesizeManifests(later)[0].objects;
    expect(order(rendered)).toEqual(['PersistentVolume', 'PersistentVolume', 'StatefulSet']);
    // the volume built first, the service after it but earlier in the tree (in a group made before the volume)
    const nested = new PlatformChart(new Cdk8sApp(), 'nested', { traits: stack.cluster.traits, namespace: 'shop' });
    const apps = new Construct(nested, 'apps');
    new RestoredVolume(nested, 'db-data-0', base);
    new StatefulService(apps, 'db', postgres);
    expect(order(synthesizeManifests(nested)[0].objects)).toEqual(['PersistentVolume', 'StatefulSet']);
    // and in the self-managed delivery file (Helm's install order: PersistentVolume before StatefulSet)
    const file = new ManifestFileAsset(new Stack(new App(), 'files'), 'shop', { charts: [later] });
    expect(file.inventory.map(e => e.kind).filter(k => k === 'PersistentVolume' || k === 'StatefulSet')).toEqual(['PersistentVolume', 'PersistentVolume', 'StatefulSet']);
  });

  test('ReadWriteOncePod: the volume offers the claim\'s mode, and a mismatch either way fails at synth', () => {
    const rwop = new PlatformChart(new Cdk8sApp(), 'rwop', { traits: stack.cluster.traits, namespace: 'shop' });
    const volume = new RestoredVolume(rwop, 'db-data-0', { ...base, accessMode: VolumeAccessMode.READ_WRITE_ONCE_POD });
    new StatefulService(rwop, 'db', { ...postgres, volumes: [{ ...postgres.volumes![0], accessMode: VolumeAccessMode.READ_WRITE_ONCE_POD }] });
    expect(volume.persistentVolume.toJson().spec.accessModes).toEqual(['ReadWriteOncePod']);
    expectValidManifests(synthesizeManifests(rwop)[0].objects);

    const podClaim = new PlatformChart(new Cdk8sApp(), 'pod-claim', { traits: stack.cluster.traits, namespace: 'shop' });
    new RestoredVolume(podClaim, 'db-data-0', base);
    new StatefulService(podClaim, 'db', { ...postgres, volumes: [{ ...postgres.volumes![0], accessMode: VolumeAccessMode.READ_WRITE_ONCE_POD }] });
    expect(expectThrownMessage(() => synthesizeManifests(podClaim))).toContain('[pod-claim/db-data-0] RestoredVolume for data-db-0: accessMode is ReadWriteOnce '
      + 'but the claim asks for ReadWriteOncePod: give the volume\'s accessMode, or the claim gets a new empty volume.');

    const podVolume = new PlatformChart(new Cdk8sApp(), 'pod-volume', { traits: stack.cluster.traits, namespace: 'shop' });
    new RestoredVolume(podVolume, 'db-data-0', { ...base, accessMode: VolumeAccessMode.READ_WRITE_ONCE_POD });
    new StatefulService(podVolume, 'db', postgres);
    expect(expectThrownMessage(() => synthesizeManifests(podVolume))).toContain('[pod-volume/db-data-0] RestoredVolume for data-db-0: accessMode is ReadWriteOncePod '
      + 'but the claim asks for ReadWriteOnce: give the volume\'s accessMode, or the claim gets a new empty volume.');
    expect(expectThrownMessage(() => new RestoredVolume(podVolume, 'x', { ...base, accessMode: 'RWOP' as VolumeAccessMode })))
      .toContain('[pod-volume/x] RestoredVolume.accessMode is "RWOP"');
  });

  test('EKS Auto Mode: refused, its own driver would never attach an ebs.csi.aws.com volume', () => {
    const auto = new PlatformChart(new Cdk8sApp(), 'auto', { traits: ClusterTraits.eks({ autoMode: true }), namespace: 'shop' });
    expect(expectThrownMessage(() => new RestoredVolume(auto, 'db-data-0', base))).toBe('[auto/db-data-0] RestoredVolume.storageClassName is "gp3": '
      + 'is provisioned by ebs.csi.eks.amazonaws.com, not by the aws-ebs-csi-driver (ebs.csi.aws.com) a RestoredVolume is attached by: the claim would bind and '
      + 'its pod never start. On EKS Auto Mode restore with a VolumeSnapshotImport and StatefulVolume.fromSnapshot once the cluster runs the snapshot controller, '
      + 'or run the aws-ebs-csi-driver (managed node groups) and name its class; docs/storage.md, "Restore".');
    const managed = new PlatformChart(new Cdk8sApp(), 'managed', { traits: ClusterTraits.eks(), namespace: 'shop' });
    expect(new RestoredVolume(managed, 'db-data-0', base).persistentVolume.toJson().spec.csi.driver).toBe('ebs.csi.aws.com');
  });

  test('bad input: a volume id, zone, size or ordinal that is not one; a chart without a namespace', () => {
    expect(expectThrownMessage(() => new RestoredVolume(chart, 'a', { ...base, volumeId: 'snap-0123456789abcdef0' })))
      .toBe('[shop/a] RestoredVolume.volumeId is "snap-0123456789abcdef0": must be an EBS volume id such as "vol-0123456789abcdef0" (the volume made from the recovery point\'s snapshot).');
    expect(expectThrownMessage(() => new RestoredVolume(chart, 'b', { ...base, availabilityZone: 'eu-west-1' })))
      .toBe('[shop/b] RestoredVolume.availabilityZone is "eu-west-1": must be the volume\'s Availability Zone, such as "eu-west-1a".');
    expect(expectThrownMessage(() => new RestoredVolume(chart, 'c', { ...base, size: Size.mebibytes(1536) })))
      .toBe('[shop/c] RestoredVolume.size is "1.5 GiB": must be the volume\'s size, a whole number of GiB (e.g. Size.gibibytes(10)).');
    expect(expectThrownMessage(() => new RestoredVolume(chart, 'd', { ...base, ordinal: -1 }))).toContain('[shop/d] RestoredVolume.ordinal is -1');
    const bare = new PlatformChart(new Cdk8sApp(), 'bare', { traits: chart.traits });
    expect(expectThrownMessage(() => new RestoredVolume(bare, 'x', base)))
      .toBe('[bare/x] RestoredVolume.namespace is undefined: must be set on the PlatformChart: the claim the volume is reserved for lives in it.');
  });

  test('a volume its claim would not bind to (class, size, ordinal, volume name) fails at synth instead of restoring nothing', () => {
    const wrong = new PlatformChart(new Cdk8sApp(), 'wrong', { traits: stack.cluster.traits, namespace: 'shop' });
    const at = { volumeId: 'vol-0123456789abcdef0', availabilityZone: 'eu-west-1a', statefulService: 'db' };
    new RestoredVolume(wrong, 'class', { ...at, volume: 'data', size: Size.gibibytes(10), storageClassName: 'local-path' });
    new RestoredVolume(wrong, 'small', { ...at, volume: 'data', size: Size.gibibytes(5), ordinal: 1 });
    new RestoredVolume(wrong, 'ordinal', { ...at, volume: 'data', size: Size.gibibytes(10), ordinal: 2 });
    new RestoredVolume(wrong, 'name', { ...at, volume: 'wal', size: Size.gibibytes(10) });
    new StatefulService(wrong, 'db', {
      image: 'postgres:16.4',
      ports: [{ name: 'postgres', port: 5432 }],
      replicas: 2,
      runAsUser: 999,
      writablePaths: ['/tmp', '/var/run/postgresql'],
      volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(10) }],
    });
    const message = expectThrownMessage(() => synthesizeManifests(wrong));
    expect(message).toContain('[wrong/class] RestoredVolume for data-db-0: storageClassName is "local-path" but the claim asks for "gp3": give the volume\'s class, or the claim gets a new empty volume.');
    expect(message).toContain('[wrong/small] RestoredVolume for data-db-1: size is 5 GiB but the claim requests 10Gi: a volume smaller than the request is not bound.');
    expect(message).toContain('[wrong/ordinal] RestoredVolume for data-db-2: ordinal is 2 but the service has 2 replica(s): pod 2 never claims it.');
    expect(message).toContain('[wrong/name] RestoredVolume for wal-db-0: StatefulService "db" has no volume "wal": name one of its volumes.');
  });
});
