import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { tmpOutdir } from './helpers';
import { addWebService, webServiceCharts } from './web-services';
import { HelmChartDirectory, HelmChartReleases } from '../../lib/delivery';
import { chartReleaseName, estimateReleaseRecordBytes, MAX_RELEASE_RECORD_BYTES } from '../../lib/delivery/private/helm-release';
import { ReleaseJsonBuffers } from '../../lib/delivery/private/release-json';
import { RecordSize, ReleaseRecordMeter } from '../../lib/delivery/private/release-record-meter';
import { prepareObjects } from '../../lib/delivery/private/render';
import { synthesizeManifests } from '../../lib/workloads';

function eksStack(app: App = new App({ outdir: tmpOutdir() })): { app: App; stack: Stack; cluster: eks.Cluster } {
  const stack = new Stack(app, 'eks', { env: { account: '111111111111', region: 'eu-west-1' } });
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version: eks.KubernetesVersion.V1_35,
    kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer') },
  });
  return { app, stack, cluster };
}

/** A pseudo-random (fixed seed), hardly compressible string of `n` characters. */
function noise(n: number, seed = 7): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(alphabet[x % alphabet.length]);
  }
  return out.join('');
}

function chart(app: K8sApp, id: string, services: string[], namespace = 'shop'): Chart {
  const c = new Chart(app, id);
  for (const s of services) addWebService(c, s, namespace);
  return c;
}

/** Logical ID → Release of every HelmChart in the template. */
function releasesOf(stack: Stack): Map<string, { release: string; dependsOn: string[] }> {
  const resources = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart');
  return new Map(Object.entries(resources).map(([id, r]) => [id, {
    release: (r.Properties as { Release: string }).Release,
    dependsOn: ((r.DependsOn ?? []) as string[]).filter(d => d in resources),
  }]));
}

describe('chartReleaseName', () => {
  test('is <delivery>-<chart>, or <delivery> for the chart named like its delivery', () => {
    expect(chartReleaseName('shop', 'orders')).toBe('shop-orders');
    expect(chartReleaseName('shop', 'shop')).toBe('shop');
    expect(chartReleaseName('Shop', 'Web_API.v2')).toBe('shop-web-api-v2');
  });

  test('shortens a name over 53 characters to 44 + "-" + 8 hex digits of a hash, stable and distinct', () => {
    const long = chartReleaseName('platform-workloads', 'a-very-long-chart-name-that-keeps-going-and-going');
    expect(long).toHaveLength(53);
    expect(long).toMatch(/^platform-workloads-a-very-long-chart-name-th-[0-9a-f]{8}$/);
    expect(chartReleaseName('platform-workloads', 'a-very-long-chart-name-that-keeps-going-and-going')).toBe(long);
    expect(chartReleaseName('platform-workloads', 'a-very-long-chart-name-that-keeps-going-and-gone')).not.toBe(long);
  });

  test('is always a valid Helm release name (property)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ minLength: 1, maxLength: 80 }), (d, c) => {
      const name = chartReleaseName(d, c);
      return name.length <= 53 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
    }), { seed: 15, numRuns: 500 });
  });
});

describe('HelmChartReleases: one Helm release per chart', () => {
  test('each chart is its own release; the chart named like the delivery keeps the delivery\'s release and its logical ID', () => {
    const { stack, cluster } = eksStack();
    const k8s = new K8sApp();
    const d = new HelmChartReleases(stack, 'shop', { cluster, charts: [chart(k8s, 'shop', ['front']), chart(k8s, 'orders', ['orders']), chart(k8s, 'users', ['users'])] });
    expect(d.releases.map(r => [r.releaseName, r.chartNames])).toEqual([['shop', ['shop']], ['shop-orders', ['orders']], ['shop-users', ['users']]]);
    // the path the single-release HelmChartDelivery('shop') gave its HelmChart: the release is updated in place, never uninstalled
    expect(d.releases[0].helmChart.node.path).toBe('eks/shop/Release');
    expect(d.releases[1].helmChart.node.path).toBe('eks/shop/Chart-orders/Release');
    for (const r of d.releases) expect(r.releaseRecordBytes).toBe(estimateReleaseRecordBytes(r.chart));
  });

  test('each release\'s chart is staged in the assembly, as rendered; its files are read back from there', () => {
    const { app, stack, cluster } = eksStack();
    const k8s = new K8sApp();
    const charts = [chart(k8s, 'shop', ['front']), chart(k8s, 'orders', ['orders'])];
    const d = new HelmChartReleases(stack, 'shop', { cluster, charts });
    const manifests = synthesizeManifests(charts);
    for (const [i, r] of d.releases.entries()) {
      expect(r.chart.directory).toBe(path.join(app.outdir, r.asset.assetPath));
      const rendered = HelmChartDirectory.render(prepareObjects(stack, 'HelmChartReleases', [manifests[i]], r.releaseName), { chartName: r.releaseName });
      expect(r.chart.files).toEqual(rendered.files);
      const file = path.join(r.chart.directory!, r.chart.templateFiles[0]);
      const original = fs.readFileSync(file, 'utf-8');
      fs.writeFileSync(file, `${original}# changed on disk\n`);
      expect(r.chart.files.get(r.chart.templateFiles[0])).toBe(`${original}# changed on disk\n`);
      fs.writeFileSync(file, original);
    }
    expect(fs.readdirSync(app.outdir).filter(f => f.startsWith('.') || f.includes('.tmp-'))).toEqual([]);
  });

  test('release names and logical IDs do not depend on the charts\' order; adding or removing a chart leaves the others alone', () => {
    const build = (ids: string[]) => {
      const { stack, cluster } = eksStack();
      const k8s = new K8sApp();
      new HelmChartReleases(stack, 'shop', { cluster, charts: ids.map(id => chart(k8s, id, [`${id}-svc`])) });
      return releasesOf(stack);
    };
    const names = (m: Map<string, { release: string }>) => new Map([...m].map(([id, r]) => [id, r.release]));
    const abc = names(build(['a', 'b', 'c']));
    expect(names(build(['c', 'a', 'b']))).toEqual(abc);
    const ab = names(build(['a', 'b']));
    expect([...ab].every(([id, release]) => abc.get(id) === release)).toBe(true);
    const abcd = names(build(['d', 'a', 'b', 'c']));
    expect([...abc].every(([id, release]) => abcd.get(id) === release)).toBe(true);
    expect(new Set(abcd.values())).toEqual(new Set(['shop-a', 'shop-b', 'shop-c', 'shop-d']));
  });

  test('the delivery\'s own release waits for every other one; a custom resource\'s release waits for its CRD\'s', () => {
    const { stack, cluster } = eksStack();
    const k8s = new K8sApp();
    const crds = new Chart(k8s, 'crds');
    new ApiObject(crds, 'crd', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
    });
    const widgets = new Chart(k8s, 'widgets');
    new ApiObject(widgets, 'w', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } });
    new HelmChartReleases(stack, 'shop', { cluster, charts: [chart(k8s, 'shop', ['front']), widgets, crds] });
    const byRelease = new Map([...releasesOf(stack)].map(([id, r]) => [r.release, { id, ...r }]));
    const idOf = (release: string) => byRelease.get(release)!.id;
    expect(byRelease.get('shop')!.dependsOn.sort()).toEqual([idOf('shop-crds'), idOf('shop-widgets')].sort());
    expect(byRelease.get('shop-widgets')!.dependsOn).toEqual([idOf('shop-crds')]);
    expect(byRelease.get('shop-crds')!.dependsOn).toEqual([]);
  });

  test('sharedReleaseCharts keep the charts of a release deployed before together in <deliveryId>', () => {
    const { stack, cluster } = eksStack();
    const k8s = new K8sApp();
    const d = new HelmChartReleases(stack, 'legacy', {
      cluster, sharedReleaseCharts: ['web', 'cfg'], charts: [chart(k8s, 'web', ['front']), chart(k8s, 'cfg', ['cfg']), chart(k8s, 'jobs', ['jobs'])],
    });
    expect(d.releases.map(r => [r.releaseName, r.chartNames])).toEqual([['legacy', ['web', 'cfg']], ['legacy-jobs', ['jobs']]]);
    expect(d.releases[0].helmChart.node.path).toBe('eks/legacy/Release');
  });

  test('an empty chart has no release', () => {
    const { stack, cluster } = eksStack();
    const k8s = new K8sApp();
    const d = new HelmChartReleases(stack, 'shop', { cluster, charts: [chart(k8s, 'web', ['front']), new Chart(k8s, 'empty')] });
    expect(d.releases.map(r => r.releaseName)).toEqual(['shop-web']);
  });
});

describe('HelmChartReleases validation', () => {
  test.each([
    ['two charts that make one release name', () => {
      const k8s = new K8sApp();
      return [chart(k8s, 'a_b', ['x']), chart(k8s, 'a.b', ['y'])];
    }, /^\[eks\/shop\] HelmChartReleases\.charts \("a\.b": release name\) is "shop-a-b": is already installed in namespace "default" of this cluster by eks\/shop\/Chart-a_b: two deliveries of one release would delete each other's objects; give each delivery its own releaseName \(or rename the chart\)\.$/],
    ['an object in two charts', () => {
      const k8s = new K8sApp();
      return [chart(k8s, 'a', ['same']), chart(k8s, 'b', ['same'])];
    }, /^\[eks\/shop\] HelmChartReleases\.charts is "apps\/v1 Deployment shop\/same \(chart \\"b\\"\)": is also defined in apps\/v1 Deployment shop\/same \(chart "a"\): each object may be delivered once/],
    ['only empty charts', () => [new Chart(new K8sApp(), 'empty')], /HelmChartReleases\.charts is \["empty"\]: hold no Kubernetes objects/],
    ['no charts', () => [], /HelmChartReleases\.charts is \[\]: must be a non-empty list of cdk8s charts/],
  ])('refuses %s', (_, charts, message) => {
    const { stack, cluster } = eksStack();
    expect(() => new HelmChartReleases(stack, 'shop', { cluster, charts: charts() })).toThrow(message);
  });

  test('refuses a shared chart that is not among the charts', () => {
    const { stack, cluster } = eksStack();
    expect(() => new HelmChartReleases(stack, 'shop', { cluster, charts: [chart(new K8sApp(), 'web', ['x'])], sharedReleaseCharts: ['wbe'] }))
      .toThrow('[eks/shop] HelmChartReleases.sharedReleaseCharts is "wbe": is not the id of one of the charts ("web"): list the charts that share the delivery\'s release, or remove the name.');
  });

  test('refuses a chart over the release budget with its measured size, before anything is staged', () => {
    const { app, stack, cluster } = eksStack();
    const k8s = new K8sApp();
    const big = new Chart(k8s, 'big');
    for (let i = 0; i < 3; i++) new ApiObject(big, `blob-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `blob-${i}`, namespace: 'shop' }, data: { blob: noise(300_000, i + 1) } });
    const staged = () => fs.readdirSync(app.outdir).filter(f => f.startsWith('asset.') && !f.includes('.zip')).length;
    const before = staged();
    expect(() => new HelmChartReleases(stack, 'shop', { cluster, charts: [chart(k8s, 'small', ['s']), big] })).toThrow(
      /^\[eks\/shop\] HelmChartReleases\.charts is "big": make a Helm release record of 1,\d{3},\d{3} bytes \(3 objects; gzip and base64 of the release, as Helm stores it in a Secret\), over the budget of 1,000,000 bytes \(a Secret holds at most 1 MiB\): split the chart into several charts \(each chart is its own release\)\.$/);
    // the small chart before it was rendered, measured and written under a temporary name, never staged: removed
    expect(staged()).toBe(before);
  });
});

describe('release records measured on a second thread', () => {
  const blobs = (k8s: K8sApp, id: string, objects: number, bytes: number) => {
    const c = new Chart(k8s, id);
    for (let i = 0; i < objects; i++) new ApiObject(c, `blob-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${id}-${i}`, namespace: 'shop' }, data: { blob: noise(bytes, i + id.length) } });
    return c;
  };
  /** A chart that repeats the object `a-0` of chart "a". */
  const repeating = (k8s: K8sApp) => {
    const later = new Chart(k8s, 'later');
    new ApiObject(later, 'again', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a-0', namespace: 'shop' }, data: { x: 'y' } });
    return later;
  };
  const overBudget = /^\[eks\/shop\] HelmChartReleases\.charts is "big": make a Helm release record of 1,\d{3},\d{3} bytes \(3 objects; gzip and base64 of the release, as Helm stores it in a Secret\), over the budget of 1,000,000 bytes \(a Secret holds at most 1 MiB\): split the chart into several charts \(each chart is its own release\)\.$/;
  afterEach(() => jest.restoreAllMocks());

  test('past 4 MiB of release JSON: the same figures, and a chart over the budget is refused before anything is staged', () => {
    const closed = jest.spyOn(ReleaseRecordMeter.prototype, 'close');
    // six charts of ~1 MB of release JSON each: past 4 MiB, the sixth is measured on the meter's thread
    const fine = eksStack();
    const k8s = new K8sApp();
    const d = new HelmChartReleases(fine.stack, 'shop', { cluster: fine.cluster, charts: ['a', 'b', 'c', 'd', 'e', 'f'].map(id => blobs(k8s, id, 1, 420_000)) });
    expect(closed.mock.contexts.map(meter => (meter as ReleaseRecordMeter).threaded)).toEqual([os.availableParallelism() >= 2]);
    expect(d.releases.map(r => r.releaseRecordBytes)).toEqual(d.releases.map(r => estimateReleaseRecordBytes(r.chart)));
    expect(Math.min(...d.releases.map(r => r.releaseRecordBytes))).toBeGreaterThan(400_000);

    const { app, stack, cluster } = eksStack();
    const k8s2 = new K8sApp();
    const staged = () => fs.readdirSync(app.outdir).filter(f => f.startsWith('asset.') && !f.includes('.zip')).length;
    const before = staged();
    const charts = [...['a', 'b', 'c', 'd', 'e'].map(id => blobs(k8s2, id, 1, 420_000)), blobs(k8s2, 'big', 3, 300_000), repeating(k8s2)];
    expect(() => new HelmChartReleases(stack, 'shop', { cluster, charts })).toThrow(overBudget);
    expect(staged()).toBe(before);
  });

  test('a record not yet known when a later chart fails: the error is the earlier chart\'s budget, as chart by chart', () => {
    // every record stays unknown until read, as on a thread that has not answered yet
    const measure = ReleaseRecordMeter.prototype.measure;
    jest.spyOn(ReleaseRecordMeter.prototype, 'measure').mockImplementation(function (this: ReleaseRecordMeter, write: (buffers: ReleaseJsonBuffers) => Buffer): RecordSize {
      const real = measure.call(this, write);
      return { known: () => false, value: () => real.value() };
    });
    const k8s = new K8sApp();
    const { stack, cluster } = eksStack();
    expect(() => new HelmChartReleases(stack, 'shop', { cluster, charts: [blobs(k8s, 'a', 1, 1_000), blobs(k8s, 'big', 3, 300_000), repeating(k8s)] })).toThrow(overBudget);
    // the delivery's own release (rendered last) is checked after every chart
    const k8s2 = new K8sApp();
    const other = eksStack();
    expect(() => new HelmChartReleases(other.stack, 'shop', { cluster: other.cluster, charts: [blobs(k8s2, 'shop', 3, 300_000), blobs(k8s2, 'big', 3, 300_000)] })).toThrow(overBudget);
  });
});

describe('the release record budget', () => {
  const recordOf = (services: number, pad = 0, random = false) => {
    const [c] = webServiceCharts(services, { prefix: 'm' });
    if (pad > 0) new ApiObject(c, 'pad', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pad', namespace: 'm' }, data: { text: random ? noise(pad) : 'x'.repeat(pad) } });
    return estimateReleaseRecordBytes(HelmChartDirectory.render(synthesizeManifests([c]), { chartName: 'm' }));
  };

  test('grows with the number of services (property: n < m gives record(n) <= record(m))', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 60 }), (n, more) => recordOf(n) <= recordOf(n + more)),
      { seed: 15, numRuns: 40 });
  });

  test('grows with the bytes of an object (property), across the budget without a dip', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 1, max: 20_000 }), (pad, more) => recordOf(3, pad) <= recordOf(3, pad + more)),
      { seed: 15, numRuns: 40 });
    // around the budget, where the old estimate switched compression levels (a bigger chart reported less)
    const sizes = [760_000, 800_000, 840_000, 880_000, 920_000].map(n => recordOf(3, n, true));
    const crossing = { sizes, under: sizes.some(s => s <= MAX_RELEASE_RECORD_BYTES), over: sizes.some(s => s > MAX_RELEASE_RECORD_BYTES) };
    expect(crossing).toEqual({ sizes, under: true, over: true });
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]);
  });
});

describe('no temp-directory growth', () => {
  test('repeated synths (EKS releases and a manifest file) leave TMPDIR as they found it; assets are staged in the cloud assembly only', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h1-tmpdir-'));
    const outdir = tmpOutdir();
    try {
      // a process of its own: os.tmpdir() reads TMPDIR of the real process environment
      execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'fixtures', 'synth-releases.ts'), outdir, '3'],
        { env: { ...process.env, TMPDIR: tmp, TSX_DISABLE_CACHE: '1', CDK_VALIDATION: 'false' }, stdio: 'pipe' });
      expect(fs.readdirSync(tmp)).toEqual([]);
      const entries = fs.readdirSync(outdir);
      expect(entries.filter(f => f.startsWith('.cdk-k8s-platform') || f.includes('.tmp-'))).toEqual([]);
      // 3 synths of different content: 3 manifest files and 3 x 2 chart directories (the kubectl layer and handler are zips)
      expect(entries.filter(f => f.startsWith('asset.') && f.endsWith('.yaml'))).toHaveLength(3);
      expect(entries.filter(f => f.startsWith('asset.') && !f.includes('.', 'asset.'.length))).toHaveLength(6);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
