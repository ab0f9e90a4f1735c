import { Size } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import { ClusterTraits, IngressFlavour, StatefulService, StatefulServiceProps, StatefulVolume, VolumeAccessMode } from '../../lib/workloads';

const BASE: StatefulServiceProps = {
  image: 'postgres:16.4',
  ports: [{ name: 'postgres', port: 5432 }],
};

function claimOf(traits: ClusterTraits, volume: Partial<StatefulVolume>): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const chart = newChart({ traits, namespace: 'shop' });
  new StatefulService(chart, 'db', { ...BASE, volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(10), ...volume }] });
  return one(synthValid(chart), 'StatefulSet').spec.volumeClaimTemplates[0];
}

function withEfs(traits: ClusterTraits): ClusterTraits {
  traits.addAbilities({ storageClasses: [{ name: 'efs', accessModes: Object.values(VolumeAccessMode) }] });
  return traits;
}

describe('the traits say which StorageClass serves which access mode', () => {
  test('EKS: gp3 serves ReadWriteOnce and ReadWriteOncePod; nothing serves ReadWriteMany', () => {
    const traits = ClusterTraits.eks();
    expect(traits.storageClass('gp3')).toEqual({ name: 'gp3', accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'], provisioner: 'ebs.csi.aws.com' });
    expect(traits.storageClassesServing(VolumeAccessMode.READ_WRITE_MANY)).toEqual([]);
    expect(traits.verticalPodAutoscaler).toBe(false);
  });

  test('EKS Auto Mode: gp3 is its own driver\'s; snapshots only where the snapshot controller runs', () => {
    expect(ClusterTraits.eks({ autoMode: true }).storageClass('gp3')!.provisioner).toBe('ebs.csi.eks.amazonaws.com');
    expect(ClusterTraits.eks().volumeSnapshots).toBe(false);
    expect(ClusterTraits.eks({ volumeSnapshots: true }).volumeSnapshots).toBe(true);
    expect(ClusterTraits.k3s().volumeSnapshots).toBe(false);
    const traits = ClusterTraits.eks();
    traits.addAbilities({ volumeSnapshots: true });
    expect(traits.volumeSnapshots).toBe(true);
  });

  test('k3s: local-path is node-local, even when another class is the default', () => {
    expect(ClusterTraits.k3s().storageClass('local-path')).toEqual({ name: 'local-path', accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'], nodeLocal: true });
    expect(ClusterTraits.k3s({ storageClassName: 'gp3' }).storageClasses.map(c => c.name)).toEqual(['local-path']);
  });

  test('an add-on records what it adds; a description replaces the one of the same name', () => {
    const traits = withEfs(ClusterTraits.eks());
    traits.addAbilities({ verticalPodAutoscaler: true, storageClasses: [{ name: 'gp3', accessModes: [VolumeAccessMode.READ_WRITE_ONCE], backedUp: true }] });
    expect(traits.verticalPodAutoscaler).toBe(true);
    expect(traits.storageClassesServing(VolumeAccessMode.READ_WRITE_MANY)).toEqual(['efs']);
    expect(traits.storageClass('gp3')).toEqual({ name: 'gp3', accessModes: ['ReadWriteOnce'], backedUp: true });
  });

  test('the description is a copy: changing it changes nothing', () => {
    const traits = ClusterTraits.eks();
    traits.storageClass('gp3')!.accessModes.push(VolumeAccessMode.READ_WRITE_MANY);
    expect(traits.storageClassesServing(VolumeAccessMode.READ_WRITE_MANY)).toEqual([]);
  });

  test('a class without access modes, or with an unknown one, is refused', () => {
    expect(() => ClusterTraits.custom({ ingressFlavour: IngressFlavour.NGINX, storageClassName: 'nfs', storageClasses: [{ name: 'nfs', accessModes: [] }] }))
      .toThrow('ClusterTraits.storageClasses is {"name":"nfs","accessModes":[]}: each needs a name and at least one access mode; must be one of VolumeAccessMode.READ_WRITE_ONCE');
    expect(() => ClusterTraits.eks().addAbilities({ storageClasses: [{ name: 'nfs', accessModes: ['RWX' as VolumeAccessMode] }] }))
      .toThrow('each needs a name and at least one access mode; "RWX" must be one of VolumeAccessMode');
  });
});

describe('ReadWriteMany only where the StorageClass can serve it', () => {
  test.each<[string, () => ClusterTraits, string]>([
    ['EKS gp3', () => ClusterTraits.eks(), 'gp3'],
    ['k3s local-path', () => ClusterTraits.k3s(), 'local-path'],
  ])('%s: refused, saying how to get a shared file system', (_what, traits, className) => {
    expectPropError(() => claimOf(traits(), { accessMode: VolumeAccessMode.READ_WRITE_MANY }), {
      path: 'shop/db',
      prop: 'StatefulService.volumes[0].accessMode',
      value: '"ReadWriteMany"',
      says: `cannot be served by StorageClass "${className}" (it serves ReadWriteOnce, ReadWriteOncePod): the claim would stay Pending. `
        + 'Install the EFS add-on (`addOns: [new EfsAddOn()]`, a shared file system) and use storageClassName "efs", or choose ReadWriteOnce if one pod writes.',
    });
  });

  test('refused on gp3 when the cluster has EFS: the message names the class that serves it', () => {
    expectPropError(() => claimOf(withEfs(ClusterTraits.eks()), { accessMode: VolumeAccessMode.READ_WRITE_MANY }), {
      path: 'shop/db',
      prop: 'StatefulService.volumes[0].accessMode',
      value: '"ReadWriteMany"',
      says: 'cannot be served by StorageClass "gp3" (it serves ReadWriteOnce, ReadWriteOncePod): the claim would stay Pending. Use storageClassName "efs", or choose ReadWriteOnce if one pod writes.',
    });
  });

  test('ReadOnlyMany on local-path is refused too', () => {
    expectPropError(() => claimOf(ClusterTraits.k3s(), { accessMode: VolumeAccessMode.READ_ONLY_MANY }), {
      path: 'shop/db', prop: 'StatefulService.volumes[0].accessMode', value: '"ReadOnlyMany"', says: 'cannot be served by StorageClass "local-path"',
    });
  });

  test('on the EFS class the claim asks for ReadWriteMany', () => {
    const claim = claimOf(withEfs(ClusterTraits.k3s()), { accessMode: VolumeAccessMode.READ_WRITE_MANY, storageClassName: 'efs' });
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs' });
  });

  test('a class the traits do not describe is not checked (the cluster owner knows it)', () => {
    const claim = claimOf(ClusterTraits.eks(), { accessMode: VolumeAccessMode.READ_WRITE_MANY, storageClassName: 'my-nfs' });
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
  });
});

describe('restore: a claim that starts from a VolumeSnapshot', () => {
  const withSnapshots = (): ClusterTraits => ClusterTraits.eks({ volumeSnapshots: true });

  test('every pod\'s claim names the snapshot as its data source', () => {
    const claim = claimOf(withSnapshots(), { fromSnapshot: 'db-data-2026-12-01' });
    expect(claim.spec.dataSource).toEqual({ apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'db-data-2026-12-01' });
  });

  test('without it the claim has no data source', () => {
    expect(claimOf(ClusterTraits.eks(), {}).spec.dataSource).toBeUndefined();
  });

  test('a snapshot name that is not a DNS subdomain is refused', () => {
    expectPropError(() => claimOf(withSnapshots(), { fromSnapshot: 'snap_0abc' }), {
      path: 'shop/db', prop: 'StatefulService.volumes[0].fromSnapshot', value: '"snap_0abc"', says: 'must be a DNS-1123 subdomain',
    });
  });

  test.each([
    ['k3s', ClusterTraits.k3s()],
    ['EKS without the snapshot controller', ClusterTraits.eks()],
  ])('%s: refused, pointing to RestoredVolume', (_kind, traits) => {
    expectPropError(() => claimOf(traits, { fromSnapshot: 'db-data-2026-12-01' }), {
      path: 'shop/db',
      prop: 'StatefulService.volumes[0].fromSnapshot',
      value: '"db-data-2026-12-01"',
      says: 'needs the CSI snapshot controller, which the cluster\'s traits say it does not run (traits.volumeSnapshots is false): the claim would stay Pending. '
        + 'On EKS install the VolumeBackupAddOn (the platform stacks do by default) and build the chart with cluster.traits; on k3s and kubeadm restore with a '
        + 'RestoredVolume (an EBS volume made from the snapshot, reserved for the claim; docs/storage.md, "Restore").',
    });
  });
});
