import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from '../../errors';
import type { ChartManifest, KubeObject } from '../manifests';

/**
 * The charts of `source`, every one validated at once (as `cdk8s synth` does), each rendered to plain objects
 * only when the iteration reaches it: a caller that keeps what it needs of one chart before it takes the next
 * never holds the objects of every chart at the same time (10,000 services: about 100 MiB less at the peak).
 */
export function renderEach(source: App | Chart | Chart[]): Iterable<ChartManifest> {
  const charts: Chart[] = source instanceof App
    ? source.charts
    : Array.isArray(source) ? source : [source];
  for (const chart of charts) validateTree(chart);
  const prepared = new Set<IConstruct>();
  return {
    * [Symbol.iterator]() {
      for (const chart of charts) yield { name: chart.node.id, objects: renderChart(chart, prepared) };
    },
  };
}

/**
 * The chart's objects, as `chart.toJson()` gives them. `toJson()` resolves the dependencies of the WHOLE app
 * and runs every validation of the app before rendering its one chart, so rendering the charts of one app
 * one by one cost charts × app (quadratic: 100 charts of 100 services spent most of a 10,000-service synth
 * there). Here the first chart of each app goes through `toJson()` (that whole-app pass, once), and the
 * others are rendered as `toJson()` renders them after it: the app's objects in dependency order, those
 * whose closest chart is this one. The dependencies `toJson()` adds are idempotent, so the output is the same.
 */
function renderChart(chart: Chart, prepared: Set<IConstruct>): KubeObject[] {
  const app = chart.node.root;
  if (!prepared.has(app)) {
    prepared.add(app);
    return chart.toJson() as KubeObject[];
  }
  return inDependencyOrder(chart)
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
    .map(x => x.toJson() as KubeObject);
}

/**
 * The constructs of `chart` in the order cdk8s renders them (`new DependencyGraph(chart.node).topology()`).
 * Without a dependency among them, that order is the tree's: the graph's roots are its vertices in insertion
 * order, keyed by path, and an ApiObject's path holds a '/' (it is in a chart), so it is never an integer key
 * that would come first. The graph (two sets per construct: 600,000 at 10,000 services) is therefore built
 * only for a chart that has dependencies.
 */
function inDependencyOrder(chart: Chart): IConstruct[] {
  const all = chart.node.findAll();
  return all.some(c => c.node.dependencies.length > 0) ? new DependencyGraph(chart.node).topology() : all;
}

function validateTree(root: IConstruct): void {
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    for (const e of c.node.validate()) errors.push(`[${c.node.path}] ${e}`);
  }
  if (errors.length > 0) {
    throw new ValidationError(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`, { constructPath: root.node.path });
  }
}
