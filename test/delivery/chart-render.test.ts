import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterTraits, PlatformChart, WebService } from '../../lib/workloads';
import { renderEach } from '../../lib/workloads/private/chart-render';

const cm = (scope: Construct, id: string) => new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id.toLowerCase() } });

/**
 * An app of charts: web services, charts whose objects depend on each other (inside the chart, on another
 * chart, on a construct holding objects), a chart inside a chart, and one without dependencies.
 */
function buildApp(): Chart[] {
  const app = new App();
  const traits = ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' });
  const web = new PlatformChart(app, 'web', { traits, namespace: 'shop' });
  for (let i = 0; i < 3; i++) new WebService(web, `svc-${i}`, { image: 'public.ecr.aws/nginx/nginx:1.27.3', ingress: { hosts: [`svc-${i}.example.com`] } });

  const ordered = new Chart(app, 'ordered');
  const [a, b, c] = ['A', 'B', 'C'].map(id => cm(ordered, id));
  a.node.addDependency(c); // C first, then A
  const group = new Construct(ordered, 'group');
  cm(group, 'G1');
  cm(group, 'G2');
  b.node.addDependency(group); // every object of the group before B

  const other = new Chart(app, 'other');
  const x = cm(other, 'X');
  x.node.addDependency(b); // across charts: not an edge of this chart's graph
  const inner = new Chart(other, 'inner');
  cm(inner, 'I');
  cm(other, 'Y');

  const plain = new Chart(app, 'plain');
  ['P1', 'P2', 'P3'].forEach(id => cm(plain, id));
  return [web, ordered, other, inner, plain];
}

describe('renderEach', () => {
  test('renders every chart of an app exactly as cdk8s chart.toJson() does, in the same order', () => {
    const rendered = [...renderEach(buildApp())].map(m => m.objects);
    const expected = buildApp().map(chart => chart.toJson());
    expect(rendered).toEqual(expected);
    // the cases are there: dependencies reorder objects, a nested chart's objects are its own
    const names = (objects: unknown[]) => objects.map(o => (o as { metadata: { name: string } }).metadata.name);
    expect(names(rendered[1])).toEqual(['c', 'a', 'g1', 'g2', 'b']);
    expect(names(rendered[2])).toEqual(['x', 'y']);
    expect(names(rendered[3])).toEqual(['i']);
    expect(rendered[0].length).toBeGreaterThanOrEqual(18);
  });
});
