import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App as K8sApp, ApiObject } from 'cdk8s';
import { sampleChart } from './support/fixtures';
import { bashSyntaxErrors, flatten, shellcheckFindings } from './support/user-data';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { KubeadmCluster } from '../../../lib/clusters/kubeadm';
import { renderScript } from '../../../lib/clusters/self-managed/private/render';
import { PlatformNetwork } from '../../../lib/network';
import { ClusterTraits, PlatformChart } from '../../../lib/workloads';
import { ClusterModel } from '../../support/cluster-model/cluster-model';
import { renderDelivery, RenderedDelivery, SYNC_SCRIPT, syncScriptFor } from '../../support/cluster-model/deliveries';
import { ModelCluster, ModelNode, ModelRun } from '../../support/cluster-model/model-server';
import { shopChart } from '../../support/cluster-model/shop';

// The association's command is the sync script; these tests run it against a model of a live cluster whose
// controllers make claims, Endpoints, ReplicaSets and Pods as Kubernetes does (test/support/cluster-model).

const traits = ClusterTraits.k3s();
const shop = (options: Parameters<typeof shopChart>[1] = {}) => renderDelivery('shop', [shopChart(traits, options)]);
const deletedByScript = (m: ClusterModel) => m.deletions
  .filter(d => d.cause === 'kubectl' && !d.name.startsWith('cdk-k8s-platform-inventory-'))
  .map(d => `${d.kind} ${d.namespace}/${d.name}`);

let cluster: ModelCluster;
let model: ClusterModel;
let node: ModelNode;
async function start(distribution: 'k3s' | 'kubeadm' = 'k3s') {
  model = new ClusterModel({ distribution });
  cluster = await ModelCluster.start(model);
  node = cluster.addNode();
}
afterEach(async () => cluster?.close());

async function sync(deliveries: RenderedDelivery[], on: ModelNode = node, mode: 'k3s' | 'kubeadm' = model.distribution): Promise<ModelRun> {
  const run = await cluster.run(on, syncScriptFor(cluster, mode, deliveries));
  model.settle();
  return run;
}

describe('the association runs this script', () => {
  let k3sSync: string;
  let kubeadmSync: string;
  beforeAll(() => {
    const stack = new Stack(new App(), 'sync');
    const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
    const k3s = new K3sCluster(stack, 'K3s', { vpc, clusterName: 'a' });
    k3s.addWorkloads('shop', [sampleChart(k3s.traits)]);
    const kubeadm = new KubeadmCluster(stack, 'Kubeadm', { vpc, clusterName: 'b' });
    kubeadm.addWorkloads('shop', [sampleChart(ClusterTraits.k3s())]);
    const t = Template.fromStack(stack);
    const commands = (part: string) => {
      const [, assoc] = Object.entries(t.findResources('AWS::SSM::Association')).find(([id]) => id.startsWith(part))!;
      return (assoc.Properties.Parameters.commands as unknown[]).map(flatten).join('\n');
    };
    k3sSync = commands('K3s');
    kubeadmSync = commands('Kubeadm');
  });

  test('the synthesized command is the script the model tests run, and passes bash -n and shellcheck', () => {
    for (const [script, mode] of [[k3sSync, 'k3s'], [kubeadmSync, 'kubeadm']] as const) {
      expect(bashSyntaxErrors(script)).toBe('');
      const body = script.slice(script.indexOf('#!/bin/bash'), script.lastIndexOf('\nCDK_K8S_PLATFORM_SYNC'));
      const deliveries = /^DELIVERIES='([^']*)'$/m.exec(body)![1];
      expect(deliveries).toMatch(/^shop s3:\/\/\S+\.yaml$/);
      expect(body).toBe(renderScript([SYNC_SCRIPT], { MODE: mode, REGION: 'eu-west-1', DELIVERIES: deliveries }));
      const findings = shellcheckFindings(body);
      if (findings !== undefined) expect(findings).toBe('');
    }
  });
});

describe('k3s: the README shop through routine changes', () => {
  beforeEach(() => start('k3s'));

  test('a sync without change deletes nothing, though controllers copied the library label onto claims and Endpoints', async () => {
    expect((await sync([shop()])).status).toBe(0);
    const claim = model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!;
    expect(claim.metadata.labels).toEqual(expect.objectContaining({ 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' }));
    expect(claim.metadata.ownerReferences).toBeUndefined();
    const endpoints = model.get('Endpoints', 'shop', 'postgres')!;
    expect(endpoints.metadata.labels).toEqual(expect.objectContaining({ 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' }));
    const run = await sync([shop()]);
    expect(run.status).toBe(0);
    expect(deletedByScript(model)).toEqual([]);
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid).toBe(claim.metadata.uid);
    expect(run.calls.filter(c => c.includes(' delete '))).toEqual([]);
  });

  test('removing postgres from the code deletes its objects and keeps its claim; adding it back reuses the claim', async () => {
    await sync([shop()]);
    const uid = model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid;
    const run = await sync([shop({ postgres: false })]);
    expect(run.status).toBe(0);
    expect(deletedByScript(model).sort()).toEqual([
      'NetworkPolicy shop/postgres', 'PodDisruptionBudget shop/postgres', 'Service shop/postgres', 'Service shop/postgres-headless', 'StatefulSet shop/postgres',
    ]);
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid).toBe(uid);
    expect(model.dataLost).toEqual([]);
    await sync([shop()]);
    expect(model.get('StatefulSet', 'shop', 'postgres')).toBeDefined();
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid).toBe(uid);
  });

  test('removing the whole delivery deletes its objects but keeps the namespace that holds the claim, until the claim is released', async () => {
    await sync([shop()]);
    const run = await sync([]);
    expect(run.status).toBe(0);
    expect(run.output).toContain('kept Namespace shop although it left the code: it holds PersistentVolumeClaims');
    expect(model.get('Namespace', undefined, 'shop')).toBeDefined();
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')).toBeDefined();
    expect(model.applied().filter(k => k.includes('|shop|'))).toEqual([]);
    // an operator releases the claim on purpose (docs/operations.md); the next sync removes the namespace
    model.delete('PersistentVolumeClaim', 'shop', 'data-postgres-0', 'kubectl');
    const after = await sync([]);
    expect(after.output).toContain('deleting Namespace shop');
    expect(model.get('Namespace', undefined, 'shop')).toBeUndefined();
    expect(model.get('ConfigMap', 'kube-system', 'cdk-k8s-platform-inventory-shop')).toBeUndefined();
  });

  test('a namespace that holds objects the library did not apply is kept, and deleted once they are gone', async () => {
    await sync([shop({ postgres: false })]);
    // cert-manager wrote a certificate's Secret into the namespace (no owner, not the library's)
    model.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-tls', namespace: 'shop' }, type: 'kubernetes.io/tls' }, 'cert-manager');
    const run = await sync([]);
    expect(run.status).toBe(0);
    expect(run.output).toContain('kept Namespace shop although it left the code: it holds objects the library did not apply: Secret/shop-tls');
    expect(model.get('Secret', 'shop', 'shop-tls')).toBeDefined();
    expect(model.applied().filter(k => k.includes('|shop|'))).toEqual(['Secret|shop|shop-tls']);
    model.delete('Secret', 'shop', 'shop-tls', 'kubectl');
    const after = await sync([]);
    expect(after.output).toContain('deleting Namespace shop');
    expect(model.get('Namespace', undefined, 'shop')).toBeUndefined();
  });

  test('inventories that cannot be read stop the sync before anything is recorded or deleted', async () => {
    await sync([shop()]);
    const inventory = JSON.stringify(model.get('ConfigMap', 'kube-system', 'cdk-k8s-platform-inventory-shop'));
    const script = syncScriptFor(cluster, 'k3s', [shop({ postgres: false })]);
    // the API refuses the list (RBAC, an overloaded server): the fake kubectl answers with an error
    const run = await cluster.run(node, script.replace('refs=$(kc get configmaps', 'refs=$(kc get nosuchtype'));
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('the server doesn\'t have a resource type "nosuchtype"');
    expect(JSON.stringify(model.get('ConfigMap', 'kube-system', 'cdk-k8s-platform-inventory-shop'))).toBe(inventory);
    expect(deletedByScript(model)).toEqual([]);
  });

  test('an object recorded under an API version the cluster no longer serves is deleted through a served one', async () => {
    await sync([shop({ canary: false })]);
    // an earlier sync recorded the HPA as autoscaling/v2beta2 (removed in Kubernetes 1.26)
    const cm = model.get('ConfigMap', 'kube-system', 'cdk-k8s-platform-inventory-shop')!;
    const lines = zlib.gunzipSync(Buffer.from(cm.binaryData.objects, 'base64')).toString().replace('autoscaling/v2|HorizontalPodAutoscaler|shop|api', 'autoscaling/v2beta2|HorizontalPodAutoscaler|shop|api');
    cm.binaryData.objects = zlib.gzipSync(lines).toString('base64');
    const api = shop({ canary: false }).text.split('\n---\n').filter(d => !d.startsWith('apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler')).join('\n---\n')
      .replace(/^# object: autoscaling\/v2\|HorizontalPodAutoscaler\|shop\|api\n/m, '');
    const run = await sync([{ id: 'shop', text: api }]);
    expect(run.status).toBe(0);
    expect(run.calls).toContain('k3s kubectl delete HorizontalPodAutoscaler.v2beta2.autoscaling -n shop -l app.kubernetes.io/managed-by=cdk-k8s-platform --field-selector metadata.name=api --ignore-not-found --wait=false');
    expect(deletedByScript(model)).toEqual(['HorizontalPodAutoscaler shop/api']);
  });

  test('a new server (empty disk) prunes from the inventory the cluster holds', async () => {
    await sync([shop()]);
    const replacement = cluster.addNode();
    const run = await sync([shop({ canary: false })], replacement);
    expect(run.status).toBe(0);
    expect(deletedByScript(model).sort()).toEqual([
      'Deployment shop/api-canary', 'HorizontalPodAutoscaler shop/api-canary', 'IngressRoute shop/api', 'NetworkPolicy shop/api-canary',
      'PodDisruptionBudget shop/api-canary', 'Service shop/api-canary', 'TraefikService shop/api-weighted',
    ]);
  });

  test('a failed download changes nothing', async () => {
    await sync([shop()]);
    const script = syncScriptFor(cluster, 'k3s', [shop({ postgres: false })]);
    for (const f of fs.readdirSync(cluster.deliveryFiles)) fs.rmSync(path.join(cluster.deliveryFiles, f));
    const run = await cluster.run(node, script);
    expect(run.status).not.toBe(0);
    expect(run.calls.filter(c => c.startsWith('k3s'))).toEqual([]);
  });

  test('a refused apply stops the sync before any deletion, with the API server\'s message', async () => {
    await sync([shop()]);
    // an object of a kind the cluster does not serve (its CRD is missing), next to a removal
    const text = `${shop({ postgres: false }).text.replace('# objects: ', '# object: example.com/v1|Widget|shop|w\n# objects: ')}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: shop\n`;
    const run = await sync([{ id: 'shop', text }]);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('no matches for kind "Widget" in version "example.com/v1"');
    expect(run.output).toContain('giving up after 4 attempts');
    expect(deletedByScript(model)).toEqual([]);
    expect(model.get('StatefulSet', 'shop', 'postgres')).toBeDefined();
  });

  test('a changed claim template (immutable) recreates the StatefulSet without touching its pods or claims', async () => {
    await sync([shop()]);
    const pod = model.get('Pod', 'shop', 'postgres-0')!.metadata.uid;
    const claim = model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid;
    const grown = shop().text.replace('storage: 20Gi', 'storage: 40Gi');
    const run = await sync([{ id: 'shop', text: grown }]);
    expect(run.status).toBe(0);
    expect(run.output).toContain('StatefulSet.apps "postgres" is invalid: spec: Forbidden');
    expect(run.output).toContain('StatefulSet shop/postgres: a field the API server keeps immutable changed (claim templates?): recreating it');
    expect(run.calls).toContain('k3s kubectl delete statefulsets.apps postgres -n shop --cascade=orphan --ignore-not-found');
    const sts = model.get('StatefulSet', 'shop', 'postgres')!;
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('40Gi');
    expect(model.get('Pod', 'shop', 'postgres-0')!.metadata.uid).toBe(pod);
    expect(model.get('Pod', 'shop', 'postgres-0')!.metadata.ownerReferences![0].uid).toBe(sts.metadata.uid);
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid).toBe(claim);
    expect(model.deletions.filter(d => d.kind !== 'StatefulSet' && d.kind !== 'Event' && d.cause !== 'kubectl')).toEqual([]);
  });

  test('an object someone took over (library label removed) is not deleted', async () => {
    await sync([shop()]);
    const svc = model.get('Service', 'shop', 'api-canary')!;
    delete svc.metadata.labels!['app.kubernetes.io/managed-by'];
    await sync([shop({ canary: false })]);
    expect(model.get('Service', 'shop', 'api-canary')).toBeDefined();
    expect(model.get('Deployment', 'shop', 'api-canary')).toBeUndefined();
  });

  test('an object moved to another delivery, or given its default namespace explicitly, is not deleted', async () => {
    const config = (namespace: string | undefined) => {
      const chart = new PlatformChart(new K8sApp(), 'cfg', { traits });
      new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', ...(namespace ? { namespace } : {}) }, data: { a: '1' } });
      return chart;
    };
    await sync([renderDelivery('one', [config(undefined)])]);
    const uid = model.get('ConfigMap', 'default', 'settings')!.metadata.uid;
    await sync([renderDelivery('two', [config(undefined)])]);
    await sync([renderDelivery('two', [config('default')])]);
    expect(deletedByScript(model)).toEqual([]);
    expect(model.get('ConfigMap', 'default', 'settings')!.metadata.uid).toBe(uid);
    expect(model.get('ConfigMap', 'kube-system', 'cdk-k8s-platform-inventory-one')).toBeUndefined();
  });

  test('a namespace a delivery still uses is kept when the delivery that created it goes', async () => {
    const ns = new PlatformChart(new K8sApp(), 'base', { traits });
    new ApiObject(ns, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const app = shopChart(traits, { postgres: false });
    const withoutNamespace = renderDelivery('app', [app]);
    const text = withoutNamespace.text.split('\n---\n').filter(d => !d.startsWith('apiVersion: v1\nkind: Namespace')).join('\n---\n')
      .replace(/^# object: v1\|Namespace\|\|shop\n/m, '');
    await sync([renderDelivery('base', [ns]), { id: 'app', text }]);
    const run = await sync([{ id: 'app', text }]);
    expect(run.output).toContain('kept Namespace shop although it left the code: a delivery still puts objects in it');
    expect(model.get('Deployment', 'shop', 'api')).toBeDefined();
  });
});

describe('the version that pruned by label', () => {
  test('deleted the claim and the Endpoints on a routine sync: the model sees it', async () => {
    await start('k3s');
    // the same deliveries and values, rendered into the previous version's script
    const oldScript = (deliveries: RenderedDelivery[]) => renderScript([path.join(__dirname, 'fixtures/sync-workloads-label-prune.sh')], {
      MODE: 'k3s', REGION: 'eu-west-1', DELIVERIES: /^DELIVERIES='([^']*)'$/m.exec(syncScriptFor(cluster, 'k3s', deliveries))![1],
    });
    // what its first sync left: the delivery in the auto-deploy directory, applied by k3s
    const dir = path.join(node.root, 'var/lib/rancher/k3s/server/manifests');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk-k8s-platform-shop.yaml'), shop().text);
    model.settle();
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')).toBeDefined();
    await cluster.run(node, oldScript([shop()]));
    model.settle();
    expect(deletedByScript(model)).toEqual(expect.arrayContaining(['PersistentVolumeClaim shop/data-postgres-0', 'Endpoints shop/postgres']));
    expect(model.dataLost).toEqual(['shop/data-postgres-0']);
  });
});

describe('upgrading from the version that pruned by label', () => {
  test('k3s: the auto-deploy file becomes the inventory, is removed, and nothing in the code is deleted', async () => {
    await start('k3s');
    // the previous version copied the delivery into the auto-deploy directory; k3s applied it
    const dir = path.join(node.root, 'var/lib/rancher/k3s/server/manifests');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'cdk-k8s-platform-shop.yaml'), shop().text);
    fs.writeFileSync(path.join(dir, 'traefik.yaml'), '');
    model.settle();
    expect(model.get('StatefulSet', 'shop', 'postgres')).toBeDefined();
    const claim = model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid;
    const run = await sync([shop({ canary: false })]);
    expect(run.status).toBe(0);
    expect(run.output).toContain(`delivery shop: inventory taken from ${dir}/cdk-k8s-platform-shop.yaml`);
    expect(fs.existsSync(path.join(dir, 'cdk-k8s-platform-shop.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'traefik.yaml'))).toBe(true);
    expect(deletedByScript(model).sort()).toEqual([
      'Deployment shop/api-canary', 'HorizontalPodAutoscaler shop/api-canary', 'IngressRoute shop/api', 'NetworkPolicy shop/api-canary',
      'PodDisruptionBudget shop/api-canary', 'Service shop/api-canary', 'TraefikService shop/api-weighted',
    ]);
    model.settle();
    expect(model.deletions.filter(d => d.cause === 'k3s-deploy')).toEqual([]);
    expect(model.get('PersistentVolumeClaim', 'shop', 'data-postgres-0')!.metadata.uid).toBe(claim);
  });

  test('kubeadm: the previous download becomes the inventory', async () => {
    await start('kubeadm');
    await sync([shop()]);
    model.delete('ConfigMap', 'kube-system', 'cdk-k8s-platform-inventory-shop', 'kubectl');
    fs.mkdirSync(path.join(node.root, 'var/lib/cdk-k8s-platform/deliveries'), { recursive: true });
    fs.writeFileSync(path.join(node.root, 'var/lib/cdk-k8s-platform/deliveries/shop.yaml'), shop().text);
    const run = await sync([shop({ postgres: false })]);
    expect(run.output).toContain('workloads in sync');
    expect(run.status).toBe(0);
    expect(run.calls).toContain(`kubectl --kubeconfig ${node.root}/etc/kubernetes/admin.conf apply --server-side --force-conflicts --field-manager=cdk-k8s-platform -f ${node.root}/var/lib/cdk-k8s-platform/sync/shop.yaml`);
    expect(deletedByScript(model).filter(d => !d.startsWith('ConfigMap kube-system/')).sort()).toEqual([
      'NetworkPolicy shop/postgres', 'PodDisruptionBudget shop/postgres', 'Service shop/postgres', 'Service shop/postgres-headless', 'StatefulSet shop/postgres',
    ]);
    expect(fs.existsSync(path.join(node.root, 'var/lib/cdk-k8s-platform/deliveries'))).toBe(false);
  });
});

test('waits for the node bootstrap and fails when it never finishes', async () => {
  await start('k3s');
  fs.rmSync(path.join(node.root, 'var/lib/cdk-k8s-platform/ready'));
  const run = await cluster.run(node, syncScriptFor(cluster, 'k3s', [shop()]));
  expect(run.status).toBe(1);
  expect(run.output).toContain('the node bootstrap did not finish');
  expect(run.calls).toEqual([]);
});
