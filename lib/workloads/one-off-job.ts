import { Construct } from 'constructs';
import { JobOptions } from './job-options';
import { PlatformChart } from './platform-chart';
import { buildJobNetworkPolicy, jobPodOptions, jobRunSpec } from './private/job';
import { k8s } from './private/plus';
import { WorkloadBase } from './workload-base';

/** Props of a {@link OneOffJob}. */
export interface OneOffJobProps extends JobOptions {}

/**
 * A job that runs once when it is applied (a migration, a backfill): a Job (batch/v1) whose pods get the same
 * secure defaults as every workload (Pod Security "restricted", read-only root, no service account token), no
 * ports and no probes, and a NetworkPolicy denying all ingress.
 *
 * Kubernetes does not allow changing a Job's pod template: to run it again with another image or command, give it
 * a new `name` (e.g. with the version in it), or set `ttlAfterFinished` so the finished Job is deleted before the
 * next deploy.
 */
export class OneOffJob extends WorkloadBase {
  /** The Job (L1 escape hatch). */
  public readonly job: k8s.KubeJob;
  /** The NetworkPolicy denying ingress, unless `denyIngress` is false. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: OneOffJobProps) {
    super(scope, id, props, 'OneOffJob', 'job');
    const v = this.validator;
    const chart = PlatformChart.of(this);
    const run = jobRunSpec(v, props);
    const pod = this.buildPod(jobPodOptions(v, props));
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: this.metadata(),
      spec: { ...run, template: pod.template },
    });
    this.networkPolicy = buildJobNetworkPolicy(this, v, chart, props);
  }
}
