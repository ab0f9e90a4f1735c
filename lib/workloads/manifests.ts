import { App, Chart } from 'cdk8s';
import { renderEach } from './private/chart-render';

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
  return [...renderEach(source)];
}
