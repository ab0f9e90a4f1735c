import { Duration } from 'cdk8s';
import { ContainerWorkloadProps } from './workload-props';

/** What happens to a job's pod when its container fails. A string enum; the value is the pod `restartPolicy`. */
export enum JobRestartPolicy {
  /** Restart the container in the same pod (the default). */
  ON_FAILURE = 'OnFailure',
  /** Start a new pod for each retry; failed pods stay for their logs. */
  NEVER = 'Never',
}

/** How one run of a job behaves: what {@link ScheduledJob} and {@link OneOffJob} share. */
export interface JobOptions extends ContainerWorkloadProps {
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
   * @default - a ScheduledJob keeps runs per its history limits; a OneOffJob is kept until deleted
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * What happens to the pod when the container fails.
   * @default JobRestartPolicy.ON_FAILURE
   */
  readonly restartPolicy?: JobRestartPolicy;
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
