import { ContainerWorkloadProps } from '../../workload-props';
import { k8s } from '../plus';
import { PropValidator } from '../validate';

/** Checks `command` and `args` are lists of strings. */
export function checkCommand(v: PropValidator, props: Pick<ContainerWorkloadProps, 'command' | 'args'>): void {
  for (const [prop, list] of [['command', props.command], ['args', props.args]] as const) {
    if (list !== undefined) v.check(Array.isArray(list) && list.every(x => typeof x === 'string'), prop, list, 'must be a list of strings.');
  }
}

/** The pod's annotations: the user's, plus the config checksum (a config change rolls the pods). */
export function podAnnotations(v: PropValidator, props: ContainerWorkloadProps, configChecksum: string | undefined): Record<string, string> | undefined {
  const annotations: Record<string, string> = { ...props.podAnnotations };
  if (configChecksum) annotations['checksum/config'] = configChecksum;
  if (props.podAnnotations) for (const k of Object.keys(props.podAnnotations)) v.labelKey(`podAnnotations.${k}`, k);
  return Object.keys(annotations).length ? annotations : undefined;
}

/** `terminationGracePeriod` in seconds, validated. */
export function gracePeriodSeconds(v: PropValidator, props: ContainerWorkloadProps): number | undefined {
  const grace = props.terminationGracePeriod === undefined ? undefined : props.terminationGracePeriod.toMilliseconds() / 1000;
  if (grace !== undefined) v.integer('terminationGracePeriod', grace, 0, 86400, 'seconds');
  return grace;
}

/** `nodeSelector`, validated. */
export function nodeSelector(v: PropValidator, props: ContainerWorkloadProps): Record<string, string> | undefined {
  for (const [k, val] of Object.entries(props.nodeSelector ?? {})) {
    v.labelKey(`nodeSelector.${k}`, k);
    v.labelValue(`nodeSelector.${k}`, val);
  }
  return props.nodeSelector;
}

/** Soft spread over zones and nodes, unless `topologySpread` is false. */
export function topologySpread(props: ContainerWorkloadProps, selector: Record<string, string>): k8s.TopologySpreadConstraint[] | undefined {
  if (!(props.topologySpread ?? true)) return undefined;
  return [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
  ];
}
