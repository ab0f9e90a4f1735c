import { Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropValidator } from '../../workloads/private/validate';

/** Marks a platform stack (EKS or self-managed) and holds its platformName. */
const PLATFORM_NAME = Symbol.for('cdk-k8s-platform.platformName');

/** A name every platform accepts (the self-managed one is the shorter). */
const VALID_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/**
 * Records `name` as the platformName of `stack`, and refuses it when another platform stack of the same stage
 * has it and may deploy to the same account and region (an unresolved account or region may be any): the names
 * made from it would collide there, and each cluster's workloads could read the other's secrets.
 */
export function claimPlatformName(stack: Stack, v: PropValidator, name: string): void {
  const other = platformStacks(Stage.of(stack) ?? stack.node.root).find(s => s[PLATFORM_NAME] === name && sameEnvironment(s, stack));
  v.check(other === undefined, 'platformName', name,
    `is also the platformName of stack ${other?.node.path}, which may deploy to the same account and region: the names made from it `
    + `would collide there (the cluster "${name}", the backup vault "${name}-volumes") and the External Secrets of each cluster `
    + `could read the other's secrets (under "${name}/"). Give each platform its own name, e.g. "${suggestion(stack, name)}".`);
  Object.defineProperty(stack, PLATFORM_NAME, { value: name });
}

/** The stack's id when it is a valid platform name other than `name`, else `name-b`. */
function suggestion(stack: Stack, name: string): string {
  const id = stack.node.id;
  return id !== name && VALID_NAME.test(id) ? id : `${name}-b`.slice(-32).replace(/^[^a-z]+/, '');
}

type PlatformStack = Stack & { readonly [PLATFORM_NAME]?: string };

/** The platform stacks under `scope`, not those of a nested stage (another deployment, often another account). */
function platformStacks(scope: IConstruct): PlatformStack[] {
  const found: PlatformStack[] = [];
  for (const child of scope.node.children) {
    if (Stage.isStage(child)) continue;
    if (Stack.isStack(child) && (child as PlatformStack)[PLATFORM_NAME] !== undefined) found.push(child as PlatformStack);
    else if (!Stack.isStack(child)) found.push(...platformStacks(child));
  }
  return found;
}

/** Whether two stacks may deploy to the same account and region. */
function sameEnvironment(a: Stack, b: Stack): boolean {
  const same = (x: string, y: string) => Token.isUnresolved(x) || Token.isUnresolved(y) || x === y;
  return same(a.account, b.account) && same(a.region, b.region);
}
