import { Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One cdk-nag (v3) finding to acknowledge, with the reason it is inherent to the design. */
export interface NagAcknowledgement {
  /** Rule id, with the finding in brackets for multi-finding rules, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  /** Why the finding is accepted. */
  readonly reason: string;
}

/**
 * Acknowledges findings on `scope` and everything below it (CDK `Validations` metadata, read by cdk-nag v3),
 * so the library needs no cdk-nag at run time. Finding ids that contain more than one `::` (IAM4 policy ARNs
 * such as `Policy::arn:<AWS::Partition>:...`) are rejected by `Validations.acknowledge()`, so they are
 * recorded in the same metadata directly.
 */
export function acknowledge(scope: IConstruct, ...acks: NagAcknowledgement[]): void {
  for (const ack of acks) {
    if (ack.id.split('::').length <= 2) {
      Validations.of(scope).acknowledge(ack);
    } else {
      scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [`annotation::${ack.id}`]: ack.reason });
    }
  }
}

/**
 * NIST 800-53 R5 IAMNoInlinePolicy on a role whose permissions CDK grants add (`grant*`,
 * `addToPrincipalPolicy`): they land in the role's own `DefaultPolicy`. One reason for every such role.
 */
export const CDK_DEFAULT_POLICY: NagAcknowledgement = {
  id: 'NIST.800.53.R5-IAMNoInlinePolicy',
  reason: 'The statements are the least-privilege grants CDK adds to this one role (its DefaultPolicy); the policy cannot be attached to any other identity and is deleted with the role, so a managed policy would add an attachable object without narrowing access.',
};

/**
 * `<region>:<account>` of `scope`'s stack as cdk-nag writes them in a finding's resource: `<AWS::Region>` and
 * `<AWS::AccountId>` for an environment-agnostic stack, the values for a concrete one.
 */
export function nagRegionAccount(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `${region}:${account}`;
}
