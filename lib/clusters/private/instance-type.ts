import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { PropValidator } from '../../workloads/private/validate';

/** Warning id of the warning for an instance family aws-cdk-lib does not know. */
export const UNKNOWN_INSTANCE_FAMILY_WARNING = 'cdk-k8s-platform:unknownInstanceFamily';

/** EC2 instance sizes: `nano` … `medium`, `large`, `<n>xlarge`, `metal`, `metal-<n>xl`. */
const SIZE = /^(nano|micro|small|medium|large|([1-9]\d*)?xlarge|metal(-[1-9]\d*xl)?)$/;
const FAMILY = /^[a-z][a-z0-9-]*$/;

const FAMILIES: ReadonlySet<string> = new Set<string>(Object.values(ec2.InstanceClass));

/**
 * Checks an instance type's spelling: `<family>.<size>` with a size EC2 has (a typo such as `m7i.largee` would
 * only fail at deploy time). A family aws-cdk-lib does not list gets a warning: it may be newer than aws-cdk-lib.
 */
export function checkInstanceType(scope: IConstruct, v: PropValidator, prop: string, type: ec2.InstanceType): void {
  const name = type.toString();
  if (Token.isUnresolved(name)) return;
  const dot = name.indexOf('.');
  const family = name.slice(0, dot);
  const size = name.slice(dot + 1);
  v.check(dot > 0 && FAMILY.test(family) && SIZE.test(size), prop, name,
    'is not an EC2 instance type: write <family>.<size>, e.g. "m7i.large" or "t4g.medium" (sizes: nano, micro, small, medium, large, xlarge, 2xlarge, …, metal).');
  if (!FAMILIES.has(family)) {
    Annotations.of(scope).addWarningV2(UNKNOWN_INSTANCE_FAMILY_WARNING,
      `${prop} is "${name}": aws-cdk-lib knows no instance family "${family}". Check the spelling (EC2 refuses an unknown type only at deploy time); `
      + 'acknowledge this warning if the family is newer than aws-cdk-lib.');
  }
}
