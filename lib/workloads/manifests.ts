import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from '../errors';

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** The objects of one chart. */
export interface ChartManifest {
  /** The chart's id (a DNS-1123 label is advised: it names files and Helm templates). */
  readonly name: string;
  /** The chart's objects in apply order (cdk8s dependency order). */
  readonly objects: KubeObject[];
}

/**
 * Validates and renders cdk8s charts to plain Kubernetes objects, without writing files. Every construct's
 * validations run first (as `cdk8s synth` does), so an invalid workload never reaches a cluster.
 *
 * Accepts charts, or a cdk8s App (all its charts).
 */
export function synthesizeManifests(source: App | Chart | Chart[]): ChartManifest[] {
  const charts: Chart[] = source instanceof App
    ? source.charts
    : Array.isArray(source) ? source : [source];
  for (const chart of charts) validateTree(chart);
  const prepared = new Set<IConstruct>();
  return charts.map(chart => ({ name: chart.node.id, objects: renderChart(chart, prepared) }));
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
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart)
    .map(x => x.toJson() as KubeObject);
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
