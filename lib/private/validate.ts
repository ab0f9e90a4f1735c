import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropValidator } from '../workloads/private/validate';

/**
 * The library's {@link PropValidator} for a CDK-side construct (network, cluster, stack): values that are
 * unresolved CDK tokens are not known at synth time and pass every check.
 */
export function cdkPropValidator(scope: IConstruct, kind: string): PropValidator {
  return new PropValidator(scope, kind, Token.isUnresolved);
}
