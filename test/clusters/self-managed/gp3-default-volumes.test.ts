/**
 * Turning EBS volumes on for an existing k3s/kubeadm cluster (issue 18): gp3 becomes the default class, so a
 * StatefulService's claim template changes from local-path to gp3. Claim templates are immutable: the sync
 * recreates the StatefulSet with --cascade=orphan. Run against the cluster model: the pods and the existing
 * claims stay (their data stays on local-path); only claims made from now on (new replicas) are gp3 volumes.
 */
import { App } from 'aws-cdk-lib';
import { SelfManagedDistribution, SelfManagedPlatformStack } from '../../../lib';
import { ClusterTraits } from '../../../lib/workloads';
import { ClusterModel } from '../../support/cluster-model/cluster-model';
import { renderDelivery, syncScriptFor } from '../../support/cluster-model/deliveries';
import { ModelCluster, ModelNode, ModelRun } from '../../support/cluster-model/model-server';
import { shopChart } from '../../support/cluster-model/shop';

/**
 * The traits a real stack gives its charts: before the upgrade without the EBS CSI add-on, after it with the
 * add-on installed (the stack's default), so this fails if the add-on stops switching the default class.
 */
function stackTraits(distribution: 'k3s' | 'kubeadm', ebsCsi: boolean): ClusterTraits {
  return new SelfManagedPlatformStack(new App(), 'acme', {
    platformName: 'acme',
    distribution: distribution === 'k3s' ? SelfManagedDistribution.k3s() : SelfManagedDistribution.kubeadm(),
    ebsCsi,
    volumeBackup: ebsCsi,
  }).cluster.traits;
}

describe.each(['k3s', 'kubeadm'] as const)('%s: local-path to gp3 by default', distribution => {
  let cluster: ModelCluster;
  let model: ClusterModel;
  let node: ModelNode;
  beforeEach(async () => {
    model = new ClusterModel({ distribution });
    cluster = await ModelCluster.start(model);
    node = cluster.addNode();
  });
  afterEach(async () => cluster?.close());

  async function sync(traits: ClusterTraits): Promise<ModelRun> {
    const run = await cluster.run(node, syncScriptFor(cluster, distribution, [renderDelivery('shop', [shopChart(traits)])]));
    model.settle();
    return run;
  }

  test('the StatefulSet is recreated without its pods or claims; the existing claim keeps local-path, a new replica gets gp3', async () => {
    const before = stackTraits(distribution, false);
    const after = stackTraits(distribution, true);
    expect([before.storageClassName, after.storageClassName]).toEqual(['local-path', 'gp3']);
    await sync(before);
    const claim = model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!;
    expect(claim.spec.storageClassName).toBe('local-path');
    const pod = model.get('Pod', 'shop', 'postgres-0')!.metadata.uid;

    const run = await sync(after);
    expect(run.status).toBe(0);
    expect(run.output).toContain('StatefulSet shop/postgres: a field the API server keeps immutable changed (claim templates?): recreating it');
    const sts = model.get('StatefulSet', 'shop', 'postgres')!;
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3');
    // nothing is deleted but the StatefulSet object itself: the pod is adopted, the claim (and its data) kept
    expect(model.get('Pod', 'shop', 'postgres-0')!.metadata.uid).toBe(pod);
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid).toBe(claim.metadata.uid);
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.spec.storageClassName).toBe('local-path');
    expect(model.deletions.filter(d => !['StatefulSet', 'Event'].includes(d.kind) && !d.name.startsWith('cdk-k8s-platform-inventory-'))).toEqual([]);

    // a second replica (scaled by hand here) gets a gp3 claim
    sts.spec.replicas = 2;
    model.settle();
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-1')!.spec.storageClassName).toBe('gp3');

    // the next sync changes nothing more
    const again = await sync(after);
    expect(again.output).not.toContain('recreating it');
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid).toBe(claim.metadata.uid);
  });
});
