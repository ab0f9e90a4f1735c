import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { checkMember } from './fixed-set';
import { buildNetworkPolicy } from './network-policy';
import { k8s } from './plus';
import { PropValidator } from './validate';
import { JobOptions, JobRestartPolicy } from '../job-options';
import { Callers } from '../network-access';
import { PlatformChart } from '../platform-chart';

/** Whole seconds of a Duration prop in [min, one year]; a fraction of a second gets the prop error. */
function seconds(v: PropValidator, prop: string, d: Duration | undefined, min: number): number | undefined {
  return d === undefined ? undefined : v.integer(prop, d.toMilliseconds() / 1000, min, 31_536_000, 'seconds');
}

/** The Job spec fields of one run (without the template), validated. */
export function jobRunSpec(v: PropValidator, props: JobOptions): Omit<k8s.JobSpec, 'template'> {
  return {
    backoffLimit: v.integer('backoffLimit', props.backoffLimit ?? 3, 0, 1000),
    activeDeadlineSeconds: seconds(v, 'activeDeadline', props.activeDeadline, 1),
    ttlSecondsAfterFinished: seconds(v, 'ttlAfterFinished', props.ttlAfterFinished, 0),
    parallelism: v.integer('parallelism', props.parallelism ?? 1, 1, 1000),
    completions: v.integer('completions', props.completions ?? 1, 1, 100000),
  };
}

/** Pod options of a job: its restart policy and no probes (a job serves nothing). */
export function jobPodOptions(v: PropValidator, props: JobOptions): { restartPolicy: string; probes: { readiness: false; liveness: false; startup: false } } {
  return {
    restartPolicy: checkMember(v, 'restartPolicy', props.restartPolicy, 'JobRestartPolicy', JobRestartPolicy, JobRestartPolicy.ON_FAILURE),
    probes: { readiness: false, liveness: false, startup: false },
  };
}

/** What {@link buildJobNetworkPolicy} reads of the job. */
type JobWorkload = Construct & { name: string; namespace?: string; selectorLabels: Record<string, string>; labels: Record<string, string> };

/** The NetworkPolicy denying all ingress to a job's pods, unless `denyIngress` is false. */

export function buildJobNetworkPolicy(scope: JobWorkload, v: PropValidator, chart: PlatformChart, props: JobOptions): k8s.KubeNetworkPolicy | undefined {
  if (!(props.denyIngress ?? true)) return undefined;
  return buildNetworkPolicy(scope, v, chart, {
    metadata: { name: scope.name, labels: scope.labels },
    selector: scope.selectorLabels,
    namespace: scope.namespace,
    callers: Callers.only(),
    ports: [],
    fromIngressController: false,
  });
}
