/**
 * Restore on k3s and kubeadm against the cluster model, with the scheduled workload sync (issue 18 review P2.4):
 * a RestoredVolume deployed BEFORE the old claim is deleted waits, reserved, for the claim the StatefulSet makes
 * again; the old order (delete the StatefulSet and claims, then deploy) lets a sync in between give the claim a
 * new, empty volume and leaves the restored one Available for ever.
 */
import { App } from 'aws-cdk-lib';
import { App as Cdk8sApp, Size } from 'cdk8s';
import { SelfManagedDistribution, SelfManagedPlatformStack } from '../../lib';
import { RestoredVolume } from '../../lib/addons/backup';
import { ClusterTraits, PlatformChart } from '../../lib/workloads';
import { ClusterModel } from '../support/cluster-model/cluster-model';
import { renderDelivery, syncScriptFor } from '../support/cluster-model/deliveries';
import { ModelCluster, ModelNode } from '../support/cluster-model/model-server';
import { shopChart } from '../support/cluster-model/shop';

const RESTORED = 'shop-data-postgres-0';

describe.each(['k3s', 'kubeadm'] as const)('%s: restoring postgres\'s volume while the sync runs', distribution => {
  // the traits of a real stack: the EBS CSI add-on's gp3 is the default class
  const traits: ClusterTraits = new SelfManagedPlatformStack(new App(), 'acme', {
    platformName: 'acme',
    distribution: distribution === 'k3s' ? SelfManagedDistribution.k3s() : SelfManagedDistribution.kubeadm(),
  }).cluster.traits;
  let cluster: ModelCluster;
  let model: ClusterModel;
  let node: ModelNode;

  beforeEach(async () => {
    model = new ClusterModel({ distribution });
    cluster = await ModelCluster.start(model);
    node = cluster.addNode();
  });
  afterEach(async () => cluster?.close());

  /** One run of the sync with the code as it is: the shop, with the restored volume or without. */
  async function sync(restore: boolean): Promise<void> {
    const chart = shopChart(traits);
    if (restore) {
      new RestoredVolume(chart, 'restore', {
        volumeId: 'vol-0123456789abcdef0', availabilityZone: 'eu-west-1a', size: Size.gibibytes(20), statefulService: 'postgres', volume: 'data',
      });
    }
    const run = await cluster.run(node, syncScriptFor(cluster, distribution, [renderDelivery('shop', [chart])]));
    expect(run.status).toBe(0);
    model.settle();
  }

  const claim = () => model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0');
  const restored = () => model.get('PersistentVolume', undefined, RESTORED);

  test('deploy first, then delete the claim and the pod: the claim made again binds to the restored volume', async () => {
    await sync(false);
    const old = claim()!.metadata.uid;

    await sync(true);
    // reserved for the claim, not bound: the running pod keeps its old claim until it is deleted
    expect(restored()!.spec.claimRef).toEqual({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data-postgres-0' });
    expect(claim()!.metadata.uid).toBe(old);

    // kubectl -n shop delete pvc data-postgres-0 --wait=false; kubectl -n shop delete pod postgres-0
    model.delete('PersistentVolumeClaim', 'shop', 'data-postgres-0', 'kubectl');
    model.delete('Pod', 'shop', 'postgres-0', 'kubectl');
    model.settle();
    const made = claim()!;
    expect(made.metadata.uid).not.toBe(old);
    expect(restored()!.spec.claimRef.uid).toBe(made.metadata.uid);
    expect(model.get('PersistentVolume', undefined, `pvc-${made.metadata.uid}`)).toBeUndefined();
    expect(made.status?.phase).not.toBe('Lost');
  });

  test('the old order: a sync between the delete and the deploy gives the claim an empty volume; the restored one is never bound', async () => {
    await sync(false);
    // kubectl -n shop delete statefulset postgres; kubectl -n shop delete pvc data-postgres-0
    model.delete('StatefulSet', 'shop', 'postgres', 'kubectl');
    model.delete('PersistentVolumeClaim', 'shop', 'data-postgres-0', 'kubectl');
    model.settle();
    await sync(false); // the scheduled sync, before the restore is deployed
    const fresh = claim()!;
    expect(model.get('PersistentVolume', undefined, `pvc-${fresh.metadata.uid}`)).toBeDefined();

    await sync(true);
    expect(restored()!.spec.claimRef.uid).toBeUndefined();
    expect(claim()!.metadata.uid).toBe(fresh.metadata.uid);
  });

  test('deploy it, deploy again without it, then delete the claim: bound, and later syncs keep it', async () => {
    await sync(false);
    await sync(true);
    await sync(false); // the sync never deletes a PersistentVolume: it stays, reserved, and is not applied again
    expect(restored()!.spec.claimRef.uid).toBeUndefined();
    model.delete('PersistentVolumeClaim', 'shop', 'data-postgres-0', 'kubectl');
    model.delete('Pod', 'shop', 'postgres-0', 'kubectl');
    model.settle();
    const made = claim()!;
    expect(restored()!.spec.claimRef.uid).toBe(made.metadata.uid);
    await sync(false);
    expect(claim()!.metadata.uid).toBe(made.metadata.uid);
    expect(claim()!.status?.phase).not.toBe('Lost');
    expect(restored()!.spec.claimRef.uid).toBe(made.metadata.uid);
  });

  // The sync leaves a bound PersistentVolume alone: applying it again server-side would replace its claimRef (an
  // atomic field) without the uid the PV controller wrote, and the claim would turn Lost (fluxcd/flux2#2250).
  test('a later scheduled sync keeps the restored claim bound', async () => {
    await sync(false);
    await sync(true);
    model.delete('PersistentVolumeClaim', 'shop', 'data-postgres-0', 'kubectl');
    model.delete('Pod', 'shop', 'postgres-0', 'kubectl');
    model.settle();
    await sync(true);
    expect(claim()!.status?.phase).not.toBe('Lost');
  });
  test('a restore in a delivery of its own: once bound, later syncs apply nothing of it and still succeed', async () => {
    await sync(false);
    const restoreOnly = () => {
      const chart = new PlatformChart(new Cdk8sApp(), 'restore', { traits, namespace: 'shop' });
      new RestoredVolume(chart, 'restore', {
        volumeId: 'vol-0123456789abcdef0', availabilityZone: 'eu-west-1a', size: Size.gibibytes(20), statefulService: 'postgres', volume: 'data',
      });
      return renderDelivery('restore', [chart]);
    };
    const syncBoth = async () => {
      const run = await cluster.run(node, syncScriptFor(cluster, distribution, [renderDelivery('shop', [shopChart(traits)]), restoreOnly()]));
      model.settle();
      return run;
    };
    expect((await syncBoth()).status).toBe(0);
    model.delete('PersistentVolumeClaim', 'shop', 'data-postgres-0', 'kubectl');
    model.delete('Pod', 'shop', 'postgres-0', 'kubectl');
    model.settle();
    const made = claim()!;
    expect(restored()!.spec.claimRef.uid).toBe(made.metadata.uid);

    const later = await syncBoth();
    expect(later.status).toBe(0);
    expect(later.output).toContain(`PersistentVolume ${RESTORED} is bound to its claim: left as it is`);
    expect(later.output).toContain('delivery restore: nothing to apply but bound PersistentVolumes');
    expect(restored()!.spec.claimRef.uid).toBe(made.metadata.uid);
    expect(claim()!.status?.phase).not.toBe('Lost');
  });
});
