import { gzipSync, constants as zlib } from 'zlib';
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { App, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { tmpOutdir } from './helpers';
import { addWebService } from './web-services';
import { HelmChartDelivery } from '../../lib/delivery';
import { escapeHelmTemplate, HelmChartDirectory } from '../../lib/delivery/helm-chart-directory';
import { estimateReleaseRecordBytes, MAX_RELEASE_RECORD_BYTES } from '../../lib/delivery/private/helm-release';
import { base64, jsonChars, releaseJson, ReleaseJsonBuffers, ReleaseChart } from '../../lib/delivery/private/release-json';
import { ClusterTraits, PlatformChart, synthesizeManifests } from '../../lib/workloads';

/** A pseudo-random (fixed seed), hardly compressible string of `n` characters. */
function noise(n: number, seed = 7): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += alphabet[x % alphabet.length];
  }
  return s;
}

function directoryOf(chart: Chart): HelmChartDirectory {
  return HelmChartDirectory.render(synthesizeManifests([chart]), { chartName: 'shop' });
}

/** Helm's record at its own (best) compression level, the figure the estimate must never be below. */
function bestRecordBytes(dir: HelmChartDirectory): number {
  return Math.ceil(gzipSync(releaseJson(dir), { level: zlib.Z_BEST_COMPRESSION }).length / 3) * 4;
}

describe('the Helm release record estimate', () => {
  test('encodes templates as standard base64, byte for byte as Node does, at every length and byte value', () => {
    let x = 11;
    for (let n = 0; n < 300; n++) {
      const bytes = Buffer.alloc(n, 0);
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        bytes[i] = (x >>> 8) & 255;
      }
      expect(base64(bytes).toString('latin1')).toBe(bytes.toString('base64'));
    }
    expect(base64(Buffer.from([0, 255, 254, 253])).toString()).toBe('AP/+/Q==');
  });

  test('escapes text for the manifest exactly as JSON.stringify does, from its UTF-8 bytes or from the string', () => {
    // every ASCII byte, quotes, backslashes, 2- to 4-byte characters, U+FFFD, U+2028 and lone surrogates
    const pieces = [...Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)), 'é', '€', '😀', '\uFFFD', '\u2028', '\uD800', '\uDC00', '"\\', 'plain text'];
    let x = 5;
    for (let n = 0; n < 400; n++) {
      let text = '';
      for (let i = 0; i < n % 40; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        text += pieces[(x >>> 8) % pieces.length];
      }
      const expected = JSON.stringify(text).slice(1, -1);
      expect(jsonChars(text, Buffer.from(text)).toString()).toBe(expected);
      expect(jsonChars(text).toString()).toBe(expected);
    }
  });

  test('property: the release JSON is JSON.stringify of the release, byte for byte, into fresh or reused (dirty) buffers', () => {
    /** The record as Helm's json.Marshal writes the fields that count (JSON.stringify writes the same bytes). */
    const reference = (c: ReleaseChart) => Buffer.from(JSON.stringify({
      name: c.chartName,
      info: { first_deployed: '2006-01-02T15:04:05.999999999Z', last_deployed: '2006-01-02T15:04:05.999999999Z', deleted: '', description: 'Upgrade complete', status: 'deployed' },
      chart: { metadata: { name: c.chartName, version: c.chartVersion }, templates: [...c.files].map(([name, data]) => ({ name, data: Buffer.from(data).toString('base64') })) },
      manifest: [...c.files].filter(([name]) => name.startsWith('templates/'))
        .map(([name, data]) => `---\n# Source: ${c.chartName}/${name}\n${data.split(escapeHelmTemplate('{{')).join('{{')}`).join(''),
      version: 1,
    }));
    // buffers reused from one release to the next, left full of other bytes
    let scratch = Buffer.alloc(0);
    let output = Buffer.alloc(0);
    const reused: ReleaseJsonBuffers = {
      scratch: n => (scratch = scratch.length >= n ? scratch : Buffer.alloc(n + 7, 0xaa)),
      output: n => (output = output.length >= n ? output : Buffer.alloc(n + 5, 0x55)),
    };
    const piece = fc.constantFrom('a: b\n', '"', '\\', '\t', '\u0001', '\u001f', 'é', '€', '😀', '\uFFFD', '\u2028', '\uD800', '\uDC00', escapeHelmTemplate('{{'), '{{', ' ');
    // small releases take Node's base64 and JSON.stringify, releases from 128 KiB of files on the writer's own loops
    const text = fc.tuple(fc.array(piece, { maxLength: 30 }).map(p => p.join('')), fc.boolean())
      .map(([t, big]) => (big && t !== '' ? t.repeat(Math.ceil(132_000 / t.length)) : t));
    const fileName = fc.tuple(fc.constantFrom('templates/', 'crds/', ''), fc.array(fc.constantFrom('a', 'é', '"', '-', '0'), { minLength: 1, maxLength: 6 }))
      .map(([dir, n]) => `${dir}${n.join('')}.yaml`);
    const chart = fc.record({
      chartName: fc.constantFrom('shop', 'apps-shop-000', 'é'),
      chartVersion: fc.constantFrom('0.0.0-c0123456789ab', '1.0.0'),
      files: fc.uniqueArray(fc.tuple(fileName, text), { selector: ([name]) => name, maxLength: 6 }).map(entries => new Map([['Chart.yaml', 'apiVersion: v2\n'], ...entries])),
    });
    fc.assert(fc.property(chart, c => {
      const expected = reference(c);
      expect(releaseJson(c).equals(expected)).toBe(true);
      expect(releaseJson(c, reused).equals(expected)).toBe(true);
    }), { seed: 15, numRuns: 60 });
    // the loops' path for certain: 160 KB of plain template text with every kind of escape
    const big: ReleaseChart = {
      chartName: 'shop',
      chartVersion: '1.0.0',
      files: new Map([['Chart.yaml', 'apiVersion: v2\n'], ['templates/a.yaml', 'k: "v"\\\t\u0001é\n'.repeat(15_000)]]),
    };
    expect(releaseJson(big).equals(reference(big))).toBe(true);
    expect(releaseJson(big, reused).equals(reference(big))).toBe(true);
  });

  test('the release JSON is what Helm serializes: chart files base64-encoded and the rendered manifest (escaped braces restored)', () => {
    const chart = new PlatformChart(new K8sApp(), 'shop', { traits: ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }), namespace: 'shop' });
    addWebService(chart, 'web', 'shop');
    new ApiObject(chart, 'odd', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'odd' }, data: { text: 'a "quote", a \\ backslash, {{ braces }}, é and a\nnew line' } });
    const dir = directoryOf(chart);
    type Release = { name: string; chart: { metadata: unknown; templates: { name: string; data: string }[] }; manifest: string; version: number };
    const release = JSON.parse(releaseJson(dir).toString()) as Release;
    expect(release.name).toBe('shop');
    expect(release.version).toBe(1);
    expect(release.chart.metadata).toEqual({ name: 'shop', version: dir.chartVersion });
    expect(release.chart.templates.map(t => t.name)).toEqual([...dir.files.keys()]);
    for (const t of release.chart.templates) expect(Buffer.from(t.data, 'base64').toString()).toBe(dir.files.get(t.name));
    for (const f of dir.templateFiles) expect(release.manifest).toContain(`---\n# Source: shop/${f}\n`);
    expect(release.manifest).toContain('{{ braces }}');
    expect(release.manifest).not.toContain('{{`{{`}}');
  });

  test('is the best-compression figure (Helm\'s level), under the budget as over it', () => {
    const chart = new PlatformChart(new K8sApp(), 'shop', { traits: ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }), namespace: 'shop' });
    for (let i = 0; i < 40; i++) addWebService(chart, `svc-${i}`, 'shop');
    const dir = directoryOf(chart);
    const estimate = estimateReleaseRecordBytes(dir);
    const best = bestRecordBytes(dir);
    expect(estimate).toBe(best);
  });

  test('a release over the limit reports the exact best-compression figure', () => {
    const chart = new Chart(new K8sApp(), 'blobs');
    for (let i = 0; i < 3; i++) {
      new ApiObject(chart, `blob-${i}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `blob-${i}` }, data: { blob: noise(400_000, i + 1) } });
    }
    const dir = directoryOf(chart);
    const best = bestRecordBytes(dir);
    expect(best).toBeGreaterThan(MAX_RELEASE_RECORD_BYTES);
    expect(estimateReleaseRecordBytes(dir)).toBe(best);

    const app = new App({ outdir: tmpOutdir() });
    const stack = new Stack(app, 'eks', { env: { account: '111111111111', region: 'eu-west-1' } });
    const cluster = new eks.Cluster(stack, 'Cluster', { version: eks.KubernetesVersion.V1_35, kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(stack, 'KubectlLayer') } });
    // the delivery's own chart (release name, delivery labels) is a little larger than this directory
    expect(() => new HelmChartDelivery(stack, 'Blobs', { cluster, charts: [chart] })).toThrow(
      /^\[eks\/Blobs\] HelmChartDelivery\.charts is "3 objects": make a Helm release record of 1,3\d\d,\d{3} bytes \(3 objects; gzip and base64 of the release, as Helm stores it in a Secret\), over the budget of 1,000,000 bytes \(a Secret holds at most 1 MiB\): split the charts over several releases \(HelmChartReleases, or addWorkloads, makes one release per chart\)\.$/);
  });
});
