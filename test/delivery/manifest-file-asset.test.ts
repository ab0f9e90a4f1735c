import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import { parseDocuments, tmpOutdir } from './helpers';
import { addWebService } from './web-services';
import { DeliveryLabels, MANIFEST_FILE_HEADER, ManifestFileAsset } from '../../lib/delivery';
import { synthesizeManifests } from '../../lib/workloads';
import { expectValidManifests } from '../support/k8s-check';

function charts(): Chart[] {
  const k8s = new K8sApp();
  const web = new Chart(k8s, 'web');
  addWebService(web, 'front', 'shop');
  const base = new Chart(k8s, 'base');
  new ApiObject(base, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  new ApiObject(base, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop', labels: { [DeliveryLabels.DELIVERY]: 'mine' } }, data: { t: '{{ x }}' } });
  new ApiObject(base, 'cr', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] });
  return [web, base];
}

describe('ManifestFileAsset', () => {
  let asset: ManifestFileAsset;
  let text: string;
  let source: Chart[];
  let stack: Stack;
  let assemblyDir: string;

  beforeAll(() => {
    const app = new App({ outdir: tmpOutdir() });
    stack = new Stack(app, 'k3s');
    source = charts();
    asset = new ManifestFileAsset(stack, 'shop', { charts: source });
    assemblyDir = app.synth().directory;
    text = fs.readFileSync(path.join(assemblyDir, asset.asset.assetPath), 'utf-8');
  });

  test('one multi-document YAML file, uploaded as a file asset (not zipped)', () => {
    expect(asset.asset.isFile).toBe(true);
    expect(asset.asset.assetPath).toMatch(/\.yaml$/);
    expect(asset.objectCount).toBe(8);
    expect(text).toBe(fs.readFileSync(asset.filePath, 'utf-8'));
  });

  test('the header lists the inventory in file order', () => {
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([MANIFEST_FILE_HEADER, '# delivery: shop', '# objects: 8', '# object: v1|Namespace||shop']);
    const header = lines.filter(l => l.startsWith('# object: ')).map(l => l.slice('# object: '.length));
    expect(header).toEqual(asset.inventory.map(e => `${e.apiVersion}|${e.kind}|${e.namespace ?? ''}|${e.name}`));
    expect(header).toEqual([
      'v1|Namespace||shop',
      'policy/v1|PodDisruptionBudget|shop|front',
      'v1|ConfigMap|shop|cfg',
      'rbac.authorization.k8s.io/v1|ClusterRole||reader',
      'v1|Service|shop|front',
      'apps/v1|Deployment|shop|front',
      'autoscaling/v2|HorizontalPodAutoscaler|shop|front',
      'networking.k8s.io/v1|Ingress|shop|front',
    ]);
  });

  test('the documents are the synthesized objects in install order, labelled (existing labels kept)', () => {
    const docs = parseDocuments(text) as Array<{ kind: string; metadata: { name: string; labels: Record<string, string> } }>;
    expect(docs.map(d => `${d.kind}/${d.metadata.name}`)).toEqual(asset.inventory.map(e => `${e.kind}/${e.name}`));
    const byName = new Map(synthesizeManifests(source).flatMap(m => m.objects).map(o => [`${o.kind}/${o.metadata.name}`, o]));
    for (const d of docs) {
      const original = byName.get(`${d.kind}/${d.metadata.name}`)!;
      const { labels, ...meta } = d.metadata;
      expect({ ...d, metadata: meta }).toEqual({ ...original, metadata: { ...original.metadata, labels: undefined } });
      expect(labels[DeliveryLabels.MANAGED_BY]).toBe('cdk-k8s-platform');
      expect(labels[DeliveryLabels.DELIVERY]).toBe(d.kind === 'ConfigMap' ? 'mine' : 'shop');
    }
    expect(docs).toContainEqual(expect.objectContaining({ data: { t: '{{ x }}' } }));
    expectValidManifests(docs.filter(d => d.kind !== 'Namespace' && d.kind !== 'ClusterRole'));
  });

  test('deterministic: the same charts give the same bytes and asset hash', () => {
    const again = new ManifestFileAsset(new Stack(new App({ outdir: tmpOutdir() }), 'k3s'), 'shop', { charts: charts() });
    expect(again.asset.assetHash).toBe(asset.asset.assetHash);
    expect(fs.readFileSync(again.filePath, 'utf-8')).toBe(text);
  });

  test('nothing is inlined in the template', () => {
    const json = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(json).not.toContain('Deployment');
  });

  test('deliveryId names the label; invalid ids and inputs fail with the prop', () => {
    const s = new Stack(new App({ outdir: tmpOutdir() }), 's');
    expect(new ManifestFileAsset(s, 'A', { charts: charts(), deliveryId: 'team-a' }).inventory).toHaveLength(8);
    expect(() => new ManifestFileAsset(s, 'B', { charts: charts(), deliveryId: 'not valid!' }))
      .toThrow('[s/B] ManifestFileAsset.deliveryId is "not valid!": must be a valid label value');
    expect(() => new ManifestFileAsset(s, 'C/D'.replace('/', ' '), { charts: charts() }))
      .toThrow('[s/C D] ManifestFileAsset.deliveryId (from the construct id) is "C D": must be a valid label value');
    expect(() => new ManifestFileAsset(s, 'E', { charts: [] })).toThrow(/ManifestFileAsset\.charts is \[\]: must be a non-empty list of cdk8s charts/);
  });
});
