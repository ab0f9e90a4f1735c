import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import { flatten } from './support/user-data';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { ChartManifestFiles, MANIFEST_BUNDLE_HEADER, MANIFEST_FILE_HEADER } from '../../../lib/delivery';
import { PlatformNetwork } from '../../../lib/network';
import { ClusterTraits } from '../../../lib/workloads';
import { ClusterModel } from '../../support/cluster-model/cluster-model';
import { renderDelivery, RenderedDelivery, renderWorkloads, syncScriptFor } from '../../support/cluster-model/deliveries';
import { ModelCluster, ModelNode } from '../../support/cluster-model/model-server';
import { shopChart } from '../../support/cluster-model/shop';

// addWorkloads on k3s/kubeadm ships one manifest file per chart (ChartManifestFiles), all in one bundle; the
// sync splits it and prunes across every file of the cluster, so the move from one file per addWorkloads id
// deletes nothing.

const traits = ClusterTraits.k3s();

function ordersChart(app = new K8sApp()): Chart {
  const c = new Chart(app, 'orders');
  new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders', namespace: 'default' }, data: { a: 'b' } });
  new ApiObject(c, 'deploy', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'orders', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'orders' } }, template: { metadata: { labels: { app: 'orders' } }, spec: { containers: [{ name: 'main', image: 'example/orders:1' }] } } },
  });
  return c;
}

describe('addWorkloads on a self-managed cluster', () => {
  test('one manifest file per chart, named <id>-<chart> (<id> for the chart named like the delivery), in one bundle: one association line', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'chart-files-')) });
    const stack = new Stack(app, 'k3s');
    const k3s = new K3sCluster(stack, 'K3s', { vpc: new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc, clusterName: 'a' });
    k3s.addWorkloads('shop', [shopChart(k3s.traits), ordersChart()]);
    const [assoc] = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Association'));
    const commands = (assoc.Properties.Parameters.commands as unknown[]).map(flatten).join('\n');
    const deliveries = /DELIVERIES='([^']*)'/.exec(commands)![1].split('\n');
    expect(deliveries).toEqual([expect.stringMatching(/^shop s3:\/\/\S+\/[0-9a-f]{64}\.yaml$/)]);
    const delivery = k3s.node.findAll().find((c): c is ChartManifestFiles => c instanceof ChartManifestFiles)!;
    expect(delivery.files.map(f => [f.chart, f.deliveryId])).toEqual([['shop', 'shop'], ['orders', 'shop-orders']]);
    const bundle = fs.readFileSync(delivery.bundlePath, 'utf8').split('\n');
    expect(bundle.slice(0, 5)).toEqual([MANIFEST_BUNDLE_HEADER, '# delivery: shop', '# files: 2', expect.stringMatching(/^# file: shop \d+$/), expect.stringMatching(/^# file: shop-orders \d+$/)]);
    expect(bundle[5]).toBe(MANIFEST_FILE_HEADER);
    const clash = new Chart(new K8sApp(), 'shop-orders');
    new ApiObject(clash, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'clash', namespace: 'default' } });
    expect(() => k3s.addWorkloads('shop-orders', [clash]))
      .toThrow(/addWorkloads\(id\) is "shop-orders": makes the manifest file "shop-orders" \(one per chart: <id>-<chart>\), as does addWorkloads\('shop'\): rename the delivery or the chart\./);
  });

  test('refuses an object in two charts of a delivery', () => {
    const k8s = new K8sApp();
    const a = ordersChart(k8s);
    const b = new Chart(k8s, 'b');
    new ApiObject(b, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders', namespace: 'default' } });
    expect(() => new ChartManifestFiles(new Stack(new App(), 's'), 'shop', { charts: [a, b] }))
      .toThrow('[s/shop] ChartManifestFiles.charts is "v1 ConfigMap default/orders (chart \\"b\\")": is also defined in v1 ConfigMap default/orders (chart "orders"): each object may be delivered once (each chart is its own manifest file); remove the duplicate.');
  });
});

describe('the move from one file per addWorkloads id to one file per chart, on a model of a live cluster', () => {
  let cluster: ModelCluster;
  let model: ClusterModel;
  let node: ModelNode;
  beforeEach(async () => {
    model = new ClusterModel({ distribution: 'k3s' });
    cluster = await ModelCluster.start(model);
    node = cluster.addNode();
  });
  afterEach(async () => cluster?.close());

  const sync = async (deliveries: RenderedDelivery[]) => {
    const run = await cluster.run(node, syncScriptFor(cluster, 'k3s', deliveries));
    model.settle();
    expect({ status: run.status, output: run.status === 0 ? '' : run.output }).toEqual({ status: 0, output: '' });
  };
  const uids = () => new Map(model.all().filter(o => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'cdk-k8s-platform').map(o => [`${o.kind}/${o.metadata.name}`, o.metadata.uid]));
  const deletedByScript = () => model.deletions.filter(d => d.cause === 'kubectl' && !d.name.startsWith('cdk-k8s-platform-inventory-')).map(d => `${d.kind}/${d.name}`);

  test('deletes nothing, re-homes the inventories, and a chart removed later takes only its own objects', async () => {
    await sync([renderDelivery('shop', [shopChart(traits, { postgres: true }), ordersChart()])]); // the layout before
    const before = uids();
    const claims = model.claims();
    expect(claims.size).toBeGreaterThan(0);

    await sync([renderWorkloads('shop', [shopChart(traits, { postgres: true }), ordersChart()])]); // as addWorkloads ships it now
    expect(deletedByScript()).toEqual([]);
    expect(uids()).toEqual(before);
    const inventories = model.all().filter(o => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cdk-k8s-platform-inventory-')).map(o => o.metadata.name).sort();
    expect(inventories).toEqual(['cdk-k8s-platform-inventory-shop', 'cdk-k8s-platform-inventory-shop-orders']);

    await sync([renderWorkloads('shop', [shopChart(traits, { postgres: true })])]); // the orders chart leaves the code
    expect(deletedByScript().sort()).toEqual(['ConfigMap/orders', 'Deployment/orders']);
    expect(model.claims()).toEqual(claims);
  });

  test.each([
    ['ends before its last file does', (t: string) => t.slice(0, t.lastIndexOf('\n---\n') + 1)],
    ['more lines than its files hold', (t: string) => `${t}extra: line\n`],
    ['bad file line 5', (t: string) => t.replace(/^# file: shop-orders /m, '# file: ../orders ')],
    ['not a manifest bundle v1', (t: string) => t.replace('bundle v1', 'bundle v2')],
  ])('a bundle that does not add up (%s) stops the sync before anything changes', async (message, corrupt) => {
    const { text } = renderWorkloads('shop', [shopChart(traits), ordersChart()]);
    const run = await cluster.run(node, syncScriptFor(cluster, 'k3s', [{ id: 'shop', text: `${corrupt(text)}` }]));
    expect(run.status).toBe(1);
    expect(run.output).toContain(message);
    expect(run.output).toMatch(/delivery shop: s3:\/\/\S+ is not a manifest bundle v1/);
    expect(run.calls.filter(c => !c.startsWith('aws s3 cp'))).toEqual([]);
  });
});
