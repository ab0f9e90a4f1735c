/* Shared helpers of the workload tests (not a test file). */
import { App, Chart } from 'cdk8s';
import { ClusterTraits, KubeObject, PlatformChart, PlatformChartProps, synthesizeManifests } from '../../lib/workloads';
import { expectValidManifests, ManifestCheckOptions } from '../support/k8s-check';

/** A PlatformChart in a fresh app (EKS traits unless given). */
export function newChart(props: Partial<PlatformChartProps> = {}, id = 'shop'): PlatformChart {
  return new PlatformChart(new App(), id, { traits: ClusterTraits.eks(), ...props });
}

/** Validates (as `cdk8s synth` does), checks every object with the project's checker, returns the objects. */
export function synthValid(chart: Chart, options: ManifestCheckOptions = {}): KubeObject[] {
  const [manifest] = synthesizeManifests(chart);
  expectValidManifests(manifest.objects, options);
  return manifest.objects;
}

/** The one object of `kind` (and `name`, when given); fails when there is not exactly one. */
export function one(objects: KubeObject[], kind: string, name?: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const found = objects.filter(o => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${found.length}: ${objects.map(o => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0];
}

/** All objects of `kind`. */
export function all(objects: KubeObject[], kind: string): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return objects.filter(o => o.kind === kind);
}

/**
 * Runs `fn` and asserts it throws a validation error naming the construct path, the prop and the value, and
 * containing `says` (what is allowed).
 */
export function expectPropError(fn: () => unknown, e: { path: string; prop: string; value: string; says: string | RegExp }): string {
  let message: string | undefined;
  try {
    fn();
  } catch (err) {
    message = (err as Error).message;
  }
  if (message === undefined) throw new Error(`expected a validation error for ${e.prop}, but nothing was thrown`);
  expect(message).toContain(`[${e.path}] `);
  expect(message).toContain(`${e.prop} is ${e.value}:`);
  if (typeof e.says === 'string') expect(message).toContain(e.says);
  else expect(message).toMatch(e.says);
  return message;
}
