/**
 * Property tests of the workload sync on models of a k3s HA cluster (three servers, the association on each in
 * turn) and a kubeadm cluster: random sequences of deliveries (test/support/cluster-model/sequences.ts).
 * FUZZ_RUNS / FUZZ_SEED scale and seed them (`npm run fuzz`).
 */
import * as fc from 'fast-check';
import { runSequence, sequenceParams, sequences, timeout } from '../support/cluster-model/sequences';

const HA = sequenceParams(1.5);
const KUBEADM = sequenceParams(1.5);

describe('workload sync over random sequences of changes (model of a live cluster)', () => {
  test('k3s HA, three servers', async () => {
    await fc.assert(fc.asyncProperty(sequences, ops => runSequence({ distribution: 'k3s', servers: 3, restores: false }, ops)), HA);
  }, timeout(HA));

  test('kubeadm', async () => {
    await fc.assert(fc.asyncProperty(sequences, ops => runSequence({ distribution: 'kubeadm', servers: 1, restores: true }, ops)), KUBEADM);
  }, timeout(KUBEADM));

});
