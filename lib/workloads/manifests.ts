import { App, Chart } from 'cdk8s';
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
  const out: ChartManifest[] = [];
  for (const chart of charts) {
    validateTree(chart);
    out.push({ name: chart.node.id, objects: chart.toJson() as KubeObject[] });
  }
  return out;
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
