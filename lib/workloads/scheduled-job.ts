import { Cron, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Callers } from './network-access';
import { PlatformChart } from './platform-chart';
import { cronProblem, timeZoneProblem } from './private/cron';
import { checkMember } from './private/fixed-set';
import { buildNetworkPolicy } from './private/network-policy';
import { k8s } from './private/plus';
import { WorkloadBase } from './workload-base';
import { ContainerWorkloadProps } from './workload-props';

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

/** What happens to a job's pod when its container fails. A string enum; the value is the pod `restartPolicy`. */
export enum JobRestartPolicy {
  /** Restart the container in the same pod (the default). */
  ON_FAILURE = 'OnFailure',
  /** Start a new pod for each retry; failed pods stay for their logs. */
  NEVER = 'Never',
}

/** Props of a {@link ScheduledJob}. */
export interface ScheduledJobProps extends ContainerWorkloadProps {
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
   * Retries before a run is marked failed.
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * Longest time a run may take; it is stopped and marked failed after it.
   * @default - no limit
   */
  readonly activeDeadline?: Duration;
  /**
   * Delete finished runs (and their pods) after this time.
   * @default - runs are kept per the history limits
   */
  readonly ttlAfterFinished?: Duration;
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
   * What happens to the pod when the container fails.
   * @default JobRestartPolicy.ON_FAILURE
   */
  readonly restartPolicy?: JobRestartPolicy;
  /**
   * Create the CronJob suspended (no runs until resumed).
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Pods of one run that work at the same time.
   * @default 1
   */
  readonly parallelism?: number;
  /**
   * Successful pods that complete one run.
   * @default 1
   */
  readonly completions?: number;
  /**
   * Write a NetworkPolicy that denies all ingress to the job's pods (they serve nothing).
   * @default true
   */
  readonly denyIngress?: boolean;
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

    const backoffLimit = v.integer('backoffLimit', props.backoffLimit ?? 3, 0, 1000);
    const seconds = (prop: string, d: Duration | undefined, min: number) => {
      if (d === undefined) return undefined;
      // toMilliseconds: a fraction of a second gets the prop error, not cdk8s' generic one
      return v.integer(prop, d.toMilliseconds() / 1000, min, 31_536_000, 'seconds');
    };
    const startingDeadlineSeconds = seconds('startingDeadline', props.startingDeadline, 10);
    const activeDeadlineSeconds = seconds('activeDeadline', props.activeDeadline, 1);
    const ttlSecondsAfterFinished = seconds('ttlAfterFinished', props.ttlAfterFinished, 0);
    const successful = v.integer('successfulJobsHistoryLimit', props.successfulJobsHistoryLimit ?? 3, 0, 100);
    const failed = v.integer('failedJobsHistoryLimit', props.failedJobsHistoryLimit ?? 1, 0, 100);
    const parallelism = v.integer('parallelism', props.parallelism ?? 1, 1, 1000);
    const completions = v.integer('completions', props.completions ?? 1, 1, 100000);

    const pod = this.buildPod({
      restartPolicy: checkMember(v, 'restartPolicy', props.restartPolicy, 'JobRestartPolicy', JobRestartPolicy, JobRestartPolicy.ON_FAILURE),
      probes: { readiness: false, liveness: false, startup: false },
    });

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
          spec: {
            backoffLimit,
            activeDeadlineSeconds,
            ttlSecondsAfterFinished,
            parallelism,
            completions,
            template: pod.template,
          },
        },
      },
    });

    if (props.denyIngress ?? true) {
      this.networkPolicy = buildNetworkPolicy(this, v, chart, {
        metadata: this.metadata(),
        selector: this.selectorLabels,
        namespace: this.namespace,
        callers: Callers.only(),
        ports: [],
        fromIngressController: false,
      });
    }
  }
}
