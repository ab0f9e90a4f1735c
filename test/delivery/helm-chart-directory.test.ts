import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { parseDocuments, readTree, renderHelmTemplate } from './helpers';
import { webServiceCharts } from './web-services';
import { HelmChartDirectory, escapeHelmTemplate } from '../../lib/delivery';
import { ChartManifest, synthesizeManifests } from '../../lib/workloads';

function configMapChart(data: Record<string, string>, id = 'cfg'): ChartManifest[] {
  const chart = new Chart(new App(), id);
  new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop' }, data });
  return synthesizeManifests(chart);
}

/** Renders every template as Helm would and parses the documents. */
function renderedObjects(dir: HelmChartDirectory): unknown[] {
  return dir.templateFiles.flatMap(f => parseDocuments(renderHelmTemplate(dir.files.get(f)!)));
}

describe('escapeHelmTemplate', () => {
  test('escapes {{ as a Go template action that prints it', () => {
    expect(escapeHelmTemplate('a {{ .Values.x }} b')).toBe('a {{ "{{" }} .Values.x }} b');
    expect(escapeHelmTemplate('{{{')).toBe('{{ "{{" }}{');
    expect(escapeHelmTemplate('{{-')).toBe('{{ "{{" }}-');
    expect(escapeHelmTemplate('no braces } {')).toBe('no braces } {');
  });

  test('Helm renders the escaped text back to the original (any text)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('{', '}', '-', ' ', '"', '\\', 'a', '\n', '/*', '*/') }), text => {
      expect(renderHelmTemplate(escapeHelmTemplate(text))).toBe(text);
    }), { numRuns: 500 });
  });

  test('the test renderer rejects an unescaped action (the round trip can fail)', () => {
    expect(() => renderHelmTemplate('x: {{ .Values.x }}')).toThrow(/unescaped template action/);
  });
});

describe('HelmChartDirectory', () => {
  test('writes Chart.yaml (apiVersion v2, name, content-derived version) and numbered templates', () => {
    const dir = HelmChartDirectory.render(configMapChart({ a: 'b' }), { chartName: 'shop' });
    expect([...dir.files.keys()]).toEqual(['Chart.yaml', 'templates/cfg-0001.yaml']);
    expect(dir.chartVersion).toMatch(/^0\.0\.0-c[0-9a-f]{12}$/);
    expect(dir.files.get('Chart.yaml')).toBe([
      'apiVersion: v2',
      'name: shop',
      'description: Workloads delivered by cdk-k8s-platform (generated from cdk8s charts; do not edit).',
      'type: application',
      `version: ${dir.chartVersion}`,
      '',
    ].join('\n'));
    expect(dir.files.get('templates/cfg-0001.yaml')).toBe('---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: shop\ndata:\n  a: b\n');
    expect(dir.objectCount).toBe(1);
  });

  test('content with {{ and }} is escaped and renders literally', () => {
    const data = { tpl: 'Hello {{ .Name }} and }} and {{- trim -}}', multi: 'line {{one}}\nline two\n' };
    const dir = HelmChartDirectory.render(configMapChart(data), { chartName: 'shop' });
    const text = dir.files.get('templates/cfg-0001.yaml')!;
    expect(text).toContain('Hello {{ "{{" }} .Name }} and }} and {{ "{{" }}- trim -}}');
    expect(renderedObjects(dir)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop' }, data }]);
  });

  test('values YAML 1.1 would misread stay strings', () => {
    const data = { a: 'yes', b: 'on', c: '0777', d: 'null', e: '1e3', f: 'y' };
    const dir = HelmChartDirectory.render(configMapChart(data), { chartName: 'shop' });
    expect(renderedObjects(dir)).toEqual([expect.objectContaining({ data })]);
  });

  test('the rendered chart holds exactly the synthesized objects, in order', () => {
    const manifests = synthesizeManifests(webServiceCharts(30, { chartCount: 3 }));
    const dir = HelmChartDirectory.render(manifests, { chartName: 'shop' });
    expect(renderedObjects(dir)).toEqual(manifests.flatMap(m => m.objects));
  });

  test('splits each chart over template files no larger than maxTemplateFileBytes', () => {
    const manifests = synthesizeManifests(webServiceCharts(40, { chartCount: 2 }));
    const dir = HelmChartDirectory.render(manifests, { chartName: 'shop', maxTemplateFileBytes: 16 * 1024 });
    expect(dir.templateFiles.length).toBeGreaterThan(4);
    expect(dir.templateFiles.filter(f => f.startsWith('templates/svc-1-'))[0]).toBe('templates/svc-1-0001.yaml');
    expect(dir.templateFiles.filter(f => f.startsWith('templates/svc-2-'))[0]).toBe('templates/svc-2-0001.yaml');
    for (const f of dir.templateFiles) expect(Buffer.byteLength(dir.files.get(f)!)).toBeLessThanOrEqual(16 * 1024);
    expect(renderedObjects(dir)).toEqual(manifests.flatMap(m => m.objects));
  });

  test('chart names become safe, unique file names', () => {
    const manifests: ChartManifest[] = [
      { name: '_Shop Front', objects: configMapChart({})[0].objects },
      { name: 'shop-front', objects: configMapChart({}, 'x')[0].objects.map(o => ({ ...o, metadata: { ...o.metadata, name: 'other' } })) },
    ];
    const dir = HelmChartDirectory.render(manifests, { chartName: 'shop' });
    expect(dir.templateFiles).toEqual(['templates/shop-front-0001.yaml', 'templates/shop-front-2-0001.yaml']);
  });

  test('CustomResourceDefinitions are kept by Helm when they leave the chart', () => {
    const chart = new Chart(new App(), 'crds');
    new ApiObject(chart, 'crd', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } });
    new ApiObject(chart, 'crd2', { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com', annotations: { 'helm.sh/resource-policy': 'delete-me' } } });
    const objects = renderedObjects(HelmChartDirectory.render(synthesizeManifests(chart), { chartName: 'crds' })) as Array<{ metadata: { annotations: Record<string, string> } }>;
    expect(objects[0].metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(objects[1].metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'delete-me' });
  });

  test('same input gives the same bytes; a change gives a new version', () => {
    const a = HelmChartDirectory.render(synthesizeManifests(webServiceCharts(5)), { chartName: 'shop' });
    const b = HelmChartDirectory.render(synthesizeManifests(webServiceCharts(5)), { chartName: 'shop' });
    expect([...a.files]).toEqual([...b.files]);
    expect(a.contentHash).toBe(b.contentHash);
    const c = HelmChartDirectory.render(synthesizeManifests(webServiceCharts(6)), { chartName: 'shop' });
    expect(c.chartVersion).not.toBe(a.chartVersion);
  });

  test('write() puts the files in a content-addressed directory outside the source tree', () => {
    const manifests = synthesizeManifests(webServiceCharts(3));
    const a = HelmChartDirectory.write(manifests, { chartName: 'shop' });
    const b = HelmChartDirectory.write(manifests, { chartName: 'shop' });
    expect(a.directory).toBe(b.directory);
    expect(a.directory!.startsWith(fs.realpathSync(os.tmpdir())) || a.directory!.startsWith(os.tmpdir())).toBe(true);
    expect(path.relative(process.cwd(), a.directory!).startsWith('..')).toBe(true);
    expect(readTree(a.directory!)).toEqual(new Map(a.files));
    // a damaged directory is rewritten
    fs.writeFileSync(path.join(a.directory!, 'Chart.yaml'), 'broken');
    const c = HelmChartDirectory.write(manifests, { chartName: 'shop' });
    expect(readTree(c.directory!)).toEqual(new Map(a.files));
  });
});
