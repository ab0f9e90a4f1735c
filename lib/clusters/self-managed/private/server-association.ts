import { Duration } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** Options of a {@link serverAssociation}. */
export interface ServerAssociationOptions {
  /** The servers (the workload sync's targets: the cluster's delivery-target tag). */
  readonly targets: ssm.CfnAssociationProps['targets'];
  /** The shell commands (AWS-RunShellScript runs them with sh). */
  readonly commands: string[];
  /** How long one run may take. */
  readonly timeout: Duration;
  /** Run again on this schedule (drift repair), e.g. `rate(30 minutes)`; without it, on changes and new servers only. */
  readonly schedule?: string;
}

/**
 * An SSM State Manager association that runs `commands` on the cluster's servers: when its parameters change,
 * on every new server that matches the targets, and on `schedule`. One server at a time, and the first error
 * stops the run (reported as non-compliant, severity HIGH). The commands must hold no secret: association
 * parameters are visible to anyone who may describe it.
 */
export function serverAssociation(scope: Construct, id: string, options: ServerAssociationOptions): ssm.CfnAssociation {
  return new ssm.CfnAssociation(scope, id, {
    name: 'AWS-RunShellScript',
    targets: options.targets,
    parameters: { commands: options.commands, executionTimeout: [String(options.timeout.toSeconds())] },
    scheduleExpression: options.schedule,
    complianceSeverity: 'HIGH',
    maxConcurrency: '1',
    maxErrors: '0',
  });
}
