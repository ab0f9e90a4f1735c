/**
 * Random delivery sequences for the property tests of the workload sync on a model of a live cluster: random sequences of deliveries (workloads
 * and whole deliveries added, changed, scaled, resized, moved and removed; servers replaced; etcd snapshots restored) run
 * through the real sync script, and after every sync:
 *
 * - the sync succeeds, and every object of the code is live;
 * - every object a sync applied is in the code, except Namespaces kept because they hold claims or objects;
 * - no PersistentVolumeClaim was ever deleted (nor its volume), whatever deleted it;
 * - the script deleted only objects it had applied, never one a controller made or a protected kind.
 *
 * FUZZ_RUNS / FUZZ_SEED scale and seed them (`npm run fuzz`).
 */
import { ApiObject, App, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterModel } from './cluster-model';
import { renderDelivery, RenderedDelivery, syncScriptFor } from './deliveries';
import { ModelCluster, ModelNode } from './model-server';
import { shopChart } from './shop';
import { ClusterTraits, PlatformChart, PlatformNamespace, StatefulService, WebService, Worker } from '../../../lib/workloads';
import { fuzzParams } from '../../robustness/arbitraries';

type Kind = 'web' | 'db' | 'worker' | 'config';
interface Workload { readonly kind: Kind; readonly name: string; version: number; replicas: number; ingress: boolean; size?: number }
interface Delivery { readonly namespace: string; readonly workloads: Workload[] }
type World = Map<string, Delivery>;

type Op =
  | { op: 'add'; delivery: number; kind: Kind; name: number; ingress: boolean }
  | { op: 'remove' | 'change' | 'scale' | 'resize'; delivery: number; index: number }
  | { op: 'move'; delivery: number; to: number; index: number }
  | { op: 'addDelivery'; delivery: number; namespace: number }
  | { op: 'removeDelivery'; delivery: number }
  | { op: 'snapshot' | 'replaceServer' | 'nothing' };

const DELIVERY_IDS = ['shop', 'blog', 'ops'];
const NAMESPACES = ['alpha', 'beta', 'shared'];
const NAMES = ['api', 'web', 'db', 'cache', 'jobs', 'cfg'];
export const traits = ClusterTraits.k3s();

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), delivery: fc.nat(2), kind: fc.constantFrom<Kind>('web', 'db', 'worker', 'config'), name: fc.nat(5), ingress: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('remove' as const, 'change' as const, 'scale' as const, 'resize' as const), delivery: fc.nat(2), index: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('move' as const), delivery: fc.nat(2), to: fc.nat(2), index: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('addDelivery' as const), delivery: fc.nat(2), namespace: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('removeDelivery' as const), delivery: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('snapshot' as const, 'replaceServer' as const, 'nothing' as const) }) },
);

/** Applies an op to the world (ops that do not apply are no-ops). Returns false for server events. */
function change(world: World, op: Op): void {
  const id = 'delivery' in op ? DELIVERY_IDS[op.delivery] : '';
  const d = world.get(id);
  const taken = (ns: string, name: string) => [...world.values()].some(x => x.namespace === ns && x.workloads.some(w => w.name === name));
  switch (op.op) {
    case 'add':
      if (d && !taken(d.namespace, NAMES[op.name])) d.workloads.push({ kind: op.kind, name: NAMES[op.name], version: 1, replicas: 1, ingress: op.ingress });
      break;
    case 'remove': if (d && d.workloads.length > 0) d.workloads.splice(op.index % d.workloads.length, 1); break;
    case 'change': if (d && d.workloads.length > 0) d.workloads[op.index % d.workloads.length].version += 1; break;
    case 'resize': if (d && d.workloads.length > 0) { const w = d.workloads[op.index % d.workloads.length]; w.size = (w.size ?? 1) % 2 + 1; } break;
    case 'scale': if (d && d.workloads.length > 0) { const w = d.workloads[op.index % d.workloads.length]; w.replicas = w.replicas % 3 + 1; } break;
    case 'move': {
      const to = world.get(DELIVERY_IDS[op.to]);
      const movable = d && to && to !== d && to.namespace === d.namespace && d.workloads.length > 0;
      if (movable) to.workloads.push(...d.workloads.splice(op.index % d.workloads.length, 1));
      break;
    }
    case 'addDelivery': if (!d) world.set(id, { namespace: NAMESPACES[op.namespace], workloads: [] }); break;
    case 'removeDelivery': world.delete(id); break;
    default: break;
  }
}

const rendered = new Map<string, RenderedDelivery>();
/** The delivery's manifest file (memoized: the same code renders the same bytes). */
export function render(id: string, d: Delivery): RenderedDelivery {
  const cacheKey = JSON.stringify([id, d]);
  const hit = rendered.get(cacheKey);
  if (hit) return hit;
  const chart = new PlatformChart(new App(), id, { traits, namespace: d.namespace });
  new PlatformNamespace(chart, d.namespace, { defaultDenyIngress: true });
  for (const w of d.workloads) {
    const image = `ghcr.io/acme/${w.name}:1.${w.version}.0`;
    if (w.kind === 'web') {
      const ingress = w.ingress ? { ingress: { hosts: [`${w.name}.${d.namespace}.example.com`] } } : {};
      new WebService(chart, w.name, { image, replicas: w.replicas, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...ingress });
    } else if (w.kind === 'db') {
      new StatefulService(chart, w.name, {
        image,
        replicas: w.replicas,
        ports: [{ name: 'db', port: 5432 }],
        volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(w.size ?? 1) }],
      });
    } else if (w.kind === 'worker') {
      new Worker(chart, w.name, { image, replicas: w.replicas });
    } else {
      new ApiObject(chart, w.name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${w.name}-settings` }, data: { version: String(w.version) } });
    }
  }
  const result = renderDelivery(id, [chart]);
  rendered.set(cacheKey, result);
  return result;
}

const shops = new Map<string, RenderedDelivery>();
/** The README shop's delivery (memoized by its options). */
export function renderShop(options: { apiVersion: string; postgres: boolean; canary: boolean }): RenderedDelivery {
  const cacheKey = JSON.stringify([options.apiVersion, options.postgres, options.canary]);
  if (!shops.has(cacheKey)) shops.set(cacheKey, renderDelivery('shop', [shopChart(traits, options)]));
  return shops.get(cacheKey)!;
}

const PROTECTED = ['PersistentVolumeClaim', 'PersistentVolume', 'Endpoints', 'EndpointSlice', 'Event', 'Lease', 'CustomResourceDefinition', 'Node'];
const isInventory = (k: string) => k.startsWith('ConfigMap|kube-system|cdk-k8s-platform-inventory-');

/** The objects of the deliveries, as `kind|namespace|name` (namespaced objects without namespace: default). */
function desiredKeys(model: ClusterModel, deliveries: RenderedDelivery[]): Set<string> {
  const keys = new Set<string>();
  for (const d of deliveries) {
    for (const line of d.text.split('\n').filter(l => l.startsWith('# object: '))) {
      const [apiVersion, kind, ns, name] = line.slice('# object: '.length).split('|');
      const namespaced = model.typeOf(apiVersion, kind)!.namespaced;
      keys.add(`${kind}|${namespaced ? ns || 'default' : ''}|${name}`);
    }
  }
  return keys;
}

/** Checks the properties of the file comment after a sync; `claims` are the claims that must still exist. */
export function checkCluster(model: ClusterModel, deliveries: RenderedDelivery[], claims: Map<string, string>): void {
  const desired = desiredKeys(model, deliveries);
  const live = new Set(model.all().map(o => `${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`));
  const missing = [...desired].filter(k => !live.has(k));
  expect(missing).toEqual([]);
  const claimNamespaces = new Set(model.all().filter(o => o.kind === 'PersistentVolumeClaim').map(o => o.metadata.namespace));
  const usedNamespaces = new Set([...desired].map(k => k.split('|')[1]));
  const extra = model.applied().filter(k => !desired.has(k) && !isInventory(k))
    .filter(k => !(k.startsWith('Namespace||') && (claimNamespaces.has(k.split('|')[2]) || usedNamespaces.has(k.split('|')[2]))));
  expect(extra).toEqual([]);
  expect(model.deletions.filter(d => d.kind === 'PersistentVolumeClaim' || d.kind === 'PersistentVolume')).toEqual([]);
  expect(model.dataLost).toEqual([]);
  const now = model.claims();
  expect([...claims].filter(([k, uid]) => now.get(k) !== uid)).toEqual([]);
  const badDeletes = model.deletions.filter(d => d.cause === 'kubectl' && (d.origin !== 'apply' || PROTECTED.includes(d.kind)));
  expect(badDeletes).toEqual([]);
}

export interface Topology {
  readonly distribution: 'k3s' | 'kubeadm';
  /** Servers that run the association (one at a time). */
  readonly servers: number;
  /** A replaced server restores the last etcd snapshot (single server); with three, the quorum keeps the data. */
  readonly restores: boolean;
}

export async function runSequence(topology: Topology, ops: Op[]): Promise<void> {
  const model = new ClusterModel({ distribution: topology.distribution });
  const cluster = await ModelCluster.start(model);
  try {
    let servers: ModelNode[] = Array.from({ length: topology.servers }, () => cluster.addNode());
    let snapshot: string | undefined;
    let claims = new Map<string, string>();
    const world: World = new Map([['shop', { namespace: 'alpha', workloads: [{ kind: 'db', name: 'db', version: 1, replicas: 1, ingress: false }] }]]);
    for (const [step, op] of [{ op: 'nothing' } as Op, ...ops].entries()) {
      if (op.op === 'snapshot') snapshot = model.snapshot();
      if (op.op === 'replaceServer') {
        if (topology.restores && snapshot) {
          model.restore(snapshot);
          claims = model.claims();
        }
        servers = [...servers.slice(1), cluster.addNode()];
      }
      change(world, op);
      const deliveries = [...world.entries()].map(([id, d]) => render(id, d));
      const script = syncScriptFor(cluster, topology.distribution, deliveries);
      // the association runs on each server in turn (maxConcurrency 1); every run must leave the same state
      const runs = step % 3 === 0 ? servers : servers.slice(0, 1);
      for (const server of runs) {
        const run = await cluster.run(server, script);
        if (run.status !== 0) throw new Error(`step ${step} (${JSON.stringify(op)}): the sync failed:\n${run.output}`);
        model.settle();
        checkCluster(model, deliveries, claims);
      }
      claims = new Map([...claims, ...model.claims()]);
    }
  } finally {
    await cluster.close();
  }
}

/** A random sequence of 2 to 6 changes. */
export const sequences = fc.array(opArb, { minLength: 2, maxLength: 6 });
/**
 * Sequences per topology: `scale` × FUZZ_RUNS (40 by default: 120 sequences at scale 3), at most 1000 (`npm run
 * fuzz`). Each sync is a bash process tree, about a tenth of a second.
 */
export function sequenceParams(scale: number): fc.Parameters<unknown> {
  const params = fuzzParams(scale);
  return { ...params, numRuns: Math.min(1000, params.numRuns!) };
}

/** A test's time limit for `numRuns` sequences. */
export function timeout(params: fc.Parameters<unknown>): number {
  return 60_000 + 3_000 * params.numRuns!;
}

