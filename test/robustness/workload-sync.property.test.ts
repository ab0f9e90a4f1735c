/**
 * Property tests of the workload sync on a model of a live cluster, one k3s server: random sequences of
 * deliveries (test/support/cluster-model/sequences.ts) and the README's shop through 20 random changes.
 * FUZZ_RUNS / FUZZ_SEED scale and seed them (`npm run fuzz`).
 */
import * as fc from 'fast-check';
import { ClusterModel } from '../support/cluster-model/cluster-model';
import { syncScriptFor } from '../support/cluster-model/deliveries';
import { ModelCluster } from '../support/cluster-model/model-server';
import { checkCluster, render, renderShop, runSequence, sequenceParams, sequences, timeout } from '../support/cluster-model/sequences';

const K3S = sequenceParams(3);
/** One README shop sequence per 40 FUZZ_RUNS: 20 changes each. */
const SHOP = { ...sequenceParams(1 / 40), endOnFailure: true };

describe('workload sync over random sequences of changes (model of a live cluster)', () => {
  test('k3s, one server (snapshot restores on replacement)', async () => {
    await fc.assert(fc.asyncProperty(sequences, ops => runSequence({ distribution: 'k3s', servers: 1, restores: true }, ops)), K3S);
  }, timeout(K3S));

  test('the README shop through 20 random changes keeps its postgres claim', async () => {
    const changes = fc.array(fc.record({ apiVersion: fc.constantFrom('1.8.2', '1.8.3', '1.8.4'), postgres: fc.boolean(), canary: fc.boolean(), other: fc.boolean() }),
      { minLength: 20, maxLength: 20 });
    await fc.assert(fc.asyncProperty(changes, async steps => {
      const model = new ClusterModel({ distribution: 'k3s' });
      const cluster = await ModelCluster.start(model);
      const node = cluster.addNode();
      try {
        let uid: string | undefined;
        for (const [i, s] of [{ apiVersion: '1.8.2', postgres: true, canary: true, other: false }, ...steps].entries()) {
          const deliveries = [renderShop(s), ...(s.other ? [render('blog', { namespace: 'beta', workloads: [] })] : [])];
          const run = await cluster.run(node, syncScriptFor(cluster, 'k3s', deliveries));
          if (run.status !== 0) throw new Error(`change ${i}: the sync failed:\n${run.output}`);
          model.settle();
          uid = uid ?? model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')?.metadata.uid;
          expect(uid).toBeDefined();
          expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')?.metadata.uid).toBe(uid);
          expect(model.get('StatefulSet', 'shop', 'postgres') !== undefined).toBe(s.postgres);
          checkCluster(model, deliveries, new Map([['shop/data-postgres-0', uid!]]));
        }
      } finally {
        await cluster.close();
      }
    }), SHOP);
  }, timeout(SHOP));
});
