import { KubeObject } from '../../workloads';

/** The fields of a StatefulSet's spec that the API server keeps immutable (and this description reads). */
interface ImmutableSpec {
  readonly serviceName?: string;
  readonly podManagementPolicy?: string;
  readonly selector?: { readonly matchLabels?: Record<string, string>; readonly matchExpressions?: unknown[] };
  readonly volumeClaimTemplates?: ReadonlyArray<{
    readonly metadata?: { readonly name?: string };
    readonly spec?: {
      readonly resources?: { readonly requests?: { readonly storage?: unknown } };
      readonly storageClassName?: string;
      readonly accessModes?: string[];
      readonly volumeMode?: string;
    };
  }>;
}

/**
 * The StatefulSets among `objects` (`namespace/name`, the release namespace where an object names none) → the
 * fields the API server refuses to update, described for people: `claim data: 10Gi, class gp3, ReadWriteOnce;
 * serviceName db; podManagementPolicy OrderedReady; selector app=db`. Helm cannot upgrade a StatefulSet whose
 * description changes (the ReplacementGuard compares them).
 */
export function statefulSetShapes(objects: Iterable<KubeObject>, namespace: string): Record<string, string> {
  const shapes: Record<string, string> = {};
  for (const o of objects) {
    if (o.kind !== 'StatefulSet' || o.apiVersion !== 'apps/v1') continue;
    shapes[`${o.metadata.namespace ?? namespace}/${o.metadata.name}`] = describeImmutable((o.spec ?? {}) as ImmutableSpec);
  }
  return shapes;
}

function describeImmutable(spec: ImmutableSpec): string {
  const claims = (spec.volumeClaimTemplates ?? []).map(t => {
    const s = t.spec ?? {};
    const size = s.resources?.requests?.storage;
    return `claim ${t.metadata?.name ?? '(unnamed)'}: ${size === undefined ? 'no size' : String(size)}, `
      + `class ${s.storageClassName ?? '(default)'}, ${(s.accessModes ?? []).join('+') || 'no access mode'}`
      + (s.volumeMode && s.volumeMode !== 'Filesystem' ? `, ${s.volumeMode}` : '');
  });
  const labels = Object.entries(spec.selector?.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  const expressions = spec.selector?.matchExpressions?.length ? [`expressions ${JSON.stringify(spec.selector.matchExpressions)}`] : [];
  return [
    ...(claims.length > 0 ? claims : ['no claim templates']),
    `serviceName ${spec.serviceName ?? '(none)'}`,
    `podManagementPolicy ${spec.podManagementPolicy ?? 'OrderedReady'}`,
    `selector ${[...labels, ...expressions].join(',') || '(none)'}`,
  ].join('; ');
}
