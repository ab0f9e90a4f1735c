import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App as K8sApp, Chart } from 'cdk8s';
import { AllowReplacement, ALLOW_REPLACEMENT_CONTEXT, ReplacementGuard } from '../../lib/guards';
import { eksApp, expectThrownMessage, tmpDir } from '../robustness/support';

// The guard records each workload release and its charts: a synth that would move a chart out of a recorded
// release (Helm refuses it, or deletes and recreates its objects) or delete the release (helm uninstall
// deletes its objects) fails at synth time, not at deploy time.

const OUTDIR = tmpDir('release-guard-out');

function chart(app: K8sApp, name: string): Chart {
  const c = new Chart(app, name);
  new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: 'b' } });
  return c;
}

interface Layout {
  readonly charts: string[];
  readonly shared?: string[];
  readonly allow?: AllowReplacement[];
  readonly context?: Record<string, unknown>;
}

function synth(lockFile: string, layout: Layout): void {
  const { app, stack } = eksApp({}, { outdir: OUTDIR, context: layout.context });
  const k8s = new K8sApp();
  stack.cluster.addWorkloads('shop', layout.charts.map(c => chart(k8s, c)), { sharedReleaseCharts: layout.shared });
  new ReplacementGuard(app, 'ReplacementGuard', { lockFile, allowReplacement: layout.allow });
  app.synth();
}

interface Recorded { type: string; category: string; release?: { name: string; delivery: string; charts: string[]; shared: boolean } }
const releases = (file: string) => (Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).stacks['acme-eks']) as Recorded[])
  .filter(r => r.category === 'Release').map(r => r.release);

describe('ReplacementGuard: workload releases', () => {
  let shared: string;
  let perChart: string;
  beforeAll(() => {
    shared = path.join(tmpDir('release-guard'), 'shared.lock.json');
    synth(shared, { charts: ['web', 'cfg'], shared: ['web', 'cfg'] });
    perChart = path.join(tmpDir('release-guard'), 'per-chart.lock.json');
    synth(perChart, { charts: ['web', 'cfg'] });
  });
  const copy = (file: string) => {
    const out = path.join(tmpDir('release-guard-case'), 'platform.lock.json');
    fs.copyFileSync(file, out);
    return out;
  };

  test('the lock records each release, its delivery and its charts', () => {
    expect(releases(shared)).toEqual([{ name: 'shop', delivery: 'shop', charts: ['web', 'cfg'], shared: true }]);
    expect(releases(perChart).sort((a, b) => a!.name.localeCompare(b!.name))).toEqual([
      { name: 'shop-cfg', delivery: 'shop', charts: ['cfg'], shared: false },
      { name: 'shop-web', delivery: 'shop', charts: ['web'], shared: false },
    ]);
  });

  test('moving the charts of the delivery\'s release into releases of their own fails, naming the delivery, the charts and sharedReleaseCharts', () => {
    const message = expectThrownMessage(() => synth(copy(shared), { charts: ['web', 'cfg'] }));
    expect(message).toContain('ReplacementGuard: Custom::AWSCDK-EKS-HelmChart ');
    expect(message).toContain(' is the Helm release "shop" of the delivery "shop" (charts "web", "cfg"); it is gone from the template '
      + '("web" to the release "shop-web", "cfg" to the release "shop-cfg"), so CloudFormation would delete it and helm uninstall deletes every object in it (CRDs, claims, volumes and namespaces excepted: they are kept, with the claims in those namespaces). '
      + 'To keep the charts where they are, list them in the delivery\'s release: addWorkloads(\'shop\', charts, { sharedReleaseCharts: [\'web\', \'cfg\'] }) (docs/delivery.md: migrating). '
      + 'If the objects are meant to go (or you handed them to their new release, docs/delivery.md), opt in. '
      + 'To accept it: allowReplacement: [AllowReplacement.RELEASE] or AllowReplacement.resource(');
    expect(message).toContain(`or \`cdk synth -c ${ALLOW_REPLACEMENT_CONTEXT}=Release\``);
  });

  test('one chart leaving the delivery\'s release (which stays) fails too', () => {
    const message = expectThrownMessage(() => synth(copy(shared), { charts: ['web', 'cfg'], shared: ['web'] }));
    expect(message).toContain(' is the Helm release "shop" of the delivery "shop" (charts "web", "cfg"); charts would move out of it: "cfg" to the release "shop-cfg". '
      + 'Helm refuses an object another release holds (the deploy fails and rolls back) and deletes what leaves a release. '
      + 'To keep the charts where they are, list them in the delivery\'s release: addWorkloads(\'shop\', charts, { sharedReleaseCharts: [\'web\', \'cfg\'] })');
  });

  test('a chart moving into the delivery\'s release, and a chart removed from the code, fail with their own fix', () => {
    const into = expectThrownMessage(() => synth(copy(perChart), { charts: ['web', 'cfg'], shared: ['cfg'] }));
    expect(into).toContain(' is the Helm release "shop-cfg" of the delivery "shop" (charts "cfg"); it is gone from the template ("cfg" to the release "shop"), '
      + 'so CloudFormation would delete it and helm uninstall deletes every object in it (CRDs, claims, volumes and namespaces excepted: they are kept, with the claims in those namespaces). To keep the chart in its own release, remove "cfg" from sharedReleaseCharts. ');
    const removed = expectThrownMessage(() => synth(copy(perChart), { charts: ['web'] }));
    expect(removed).toContain(' is the Helm release "shop-cfg" of the delivery "shop" (charts "cfg"); it is gone from the template ("cfg" out of the code), '
      + 'so CloudFormation would delete it and helm uninstall deletes every object in it (CRDs, claims, volumes and namespaces excepted: they are kept, with the claims in those namespaces). If the objects are meant to go');
  });

  test('an unchanged layout, a new chart, and an opt-in pass; the opt-in records the new layout', () => {
    const file = copy(perChart);
    expect(() => synth(file, { charts: ['web', 'cfg', 'jobs'] })).not.toThrow();
    expect(() => synth(file, { charts: ['web', 'jobs'], allow: [AllowReplacement.RELEASE] })).not.toThrow();
    expect(releases(file).map(r => r!.name).sort()).toEqual(['shop-jobs', 'shop-web']);
    const viaContext = copy(shared);
    expect(() => synth(viaContext, { charts: ['web', 'cfg'], context: { [ALLOW_REPLACEMENT_CONTEXT]: 'Release' } })).not.toThrow();
    expect(releases(viaContext).map(r => r!.name).sort()).toEqual(['shop-cfg', 'shop-web']);
  });
});
