/** The `app.kubernetes.io/managed-by` value of every object this library writes. */
export const MANAGED_BY = 'cdk-k8s-platform';

/** The standard labels of a workload; `selector` is the stable subset used by selectors. */
export interface StandardLabels {
  readonly selector: Record<string, string>;
  readonly all: Record<string, string>;
}

/**
 * `app.kubernetes.io/{name,instance,version,component,part-of,managed-by}`. Selectors use only name and
 * instance, which never change for a workload, so a new version never needs a new selector.
 */
export function standardLabels(opts: { name: string; instance: string; version: string; component: string; partOf: string }): StandardLabels {
  const selector = {
    'app.kubernetes.io/name': opts.name,
    'app.kubernetes.io/instance': opts.instance,
  };
  return {
    selector,
    all: {
      ...selector,
      'app.kubernetes.io/version': opts.version,
      'app.kubernetes.io/component': opts.component,
      'app.kubernetes.io/part-of': opts.partOf,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    },
  };
}
