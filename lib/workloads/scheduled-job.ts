import { Cron, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { JobOptions } from './job-options';
import { PlatformChart } from './platform-chart';
import { cronProblem, timeZoneProblem } from './private/cron';
import { checkMember } from './private/fixed-set';
import { buildJobNetworkPolicy, jobPodOptions, jobRunSpec } from './private/job';
import { k8s } from './private/plus';
import { WorkloadBase } from './workload-base';

/** When a scheduled job runs (checked when the job is created). */
export class CronSchedule {
  /** A five-field cron expression: minute hour day-of-month month day-of-week, e.g. `'30 2 * * MON-FRI'`. */
  public static expression(expression: string): CronSchedule {
    return new CronSchedule(expression);
  }

  /** A cdk8s `Cron` (e.g. `Cron.schedule({ minute: '0', hour: '3' })`). */
  public static fromCron(cron: Cron): CronSchedule {
    return new CronSchedule(cron.expressionString);
  }

  /** At minute 0 of every hour (`@hourly`). */
  public static hourly(): CronSchedule {
    return new CronSchedule('@hourly');
  }

  /** At midnight every day (`@daily`). */
  public static daily(): CronSchedule {
    return new CronSchedule('@daily');
  }

  /** At midnight every Sunday (`@weekly`). */
  public static weekly(): CronSchedule {
    return new CronSchedule('@weekly');
  }

  /** At midnight on the first of every month (`@monthly`). */
  public static monthly(): CronSchedule {
    return new CronSchedule('@monthly');
  }

  /** At midnight on the first of January (`@yearly`). */
  public static yearly(): CronSchedule {
    return new CronSchedule('@yearly');
  }

  private constructor(
    /** The CronJob `schedule`. */
    public readonly expressionString: string,
  ) {}
}

/** What happens when a run is due while the previous one still runs. A string enum; the value is the Kubernetes `concurrencyPolicy`. */
export enum ConcurrencyPolicy {
  /** Skip the new run (the default: no overlapping runs). */
  FORBID = 'Forbid',
  /** Run both. */
  ALLOW = 'Allow',
  /** Stop the running one and start the new one. */
  REPLACE = 'Replace',
}

/** Props of a {@link ScheduledJob}. */
export interface ScheduledJobProps extends JobOptions {
  /** When the job runs. */
  readonly schedule: CronSchedule;
  /**
   * IANA time zone of the schedule (e.g. 'Europe/Berlin').
   * @default - the time zone of the kube-controller-manager (UTC on EKS and k3s)
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the previous one still runs.
   * @default ConcurrencyPolicy.FORBID
   */
  readonly concurrencyPolicy?: ConcurrencyPolicy;
  /**
   * How late a run may start (e.g. after a controller outage) before it is skipped.
   * @default - no deadline
   */
  readonly startingDeadline?: Duration;
  /**
   * Successful runs kept.
   * @default 3
   */
  readonly successfulJobsHistoryLimit?: number;
  /**
   * Failed runs kept.
   * @default 1
   */
  readonly failedJobsHistoryLimit?: number;
  /**
   * Create the CronJob suspended (no runs until resumed).
   * @default false
   */
  readonly suspend?: boolean;
}

/**
 * A job on a schedule: a CronJob (batch/v1) whose pods get the same secure defaults as every workload
 * (Pod Security "restricted", read-only root, no service account token), no ports and no probes, and a
 * NetworkPolicy denying all ingress.
 */
export class ScheduledJob extends WorkloadBase {
  /** The CronJob (L1 escape hatch). */
  public readonly cronJob: k8s.KubeCronJob;
  /** The NetworkPolicy denying ingress, unless `denyIngress` is false. */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id, props, 'ScheduledJob', 'job');
    const v = this.validator;
    const chart = PlatformChart.of(this);
    // the controller appends an 11-character suffix to name Jobs; Kubernetes limits CronJob names to 52
    v.check(this.name.length <= 52, 'name', this.name, 'must be at most 52 characters (Kubernetes appends a suffix to name each run).');

    const schedule = props.schedule?.expressionString;
    if (typeof schedule !== 'string') v.fail('schedule', props.schedule, 'is required: use CronSchedule.expression("0 3 * * *"), CronSchedule.daily() or another CronSchedule.');
    const problem = cronProblem(schedule);
    if (problem) v.fail('schedule', schedule, `${problem}. Use five fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", or @hourly, @daily, @weekly, @monthly, @yearly.`);
    if (props.timeZone !== undefined) {
      const tzProblem = timeZoneProblem(props.timeZone);
      if (tzProblem) v.fail('timeZone', props.timeZone, `${tzProblem} (e.g. "UTC", "Europe/Berlin").`);
    }

    const startingDeadlineSeconds = props.startingDeadline === undefined ? undefined
      // toMilliseconds: a fraction of a second gets the prop error, not cdk8s' generic one
      : v.integer('startingDeadline', props.startingDeadline.toMilliseconds() / 1000, 10, 31_536_000, 'seconds');
    const successful = v.integer('successfulJobsHistoryLimit', props.successfulJobsHistoryLimit ?? 3, 0, 100);
    const failed = v.integer('failedJobsHistoryLimit', props.failedJobsHistoryLimit ?? 1, 0, 100);
    const run = jobRunSpec(v, props);

    const pod = this.buildPod(jobPodOptions(v, props));

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: this.metadata(),
      spec: {
        schedule,
        timeZone: props.timeZone,
        concurrencyPolicy: checkMember(v, 'concurrencyPolicy', props.concurrencyPolicy, 'ConcurrencyPolicy', ConcurrencyPolicy, ConcurrencyPolicy.FORBID),
        startingDeadlineSeconds,
        suspend: props.suspend ?? false,
        successfulJobsHistoryLimit: successful,
        failedJobsHistoryLimit: failed,
        jobTemplate: {
          metadata: { labels: this.labels },
          spec: { ...run, template: pod.template },
        },
      },
    });

    this.networkPolicy = buildJobNetworkPolicy(this, v, chart, props);
  }
}
