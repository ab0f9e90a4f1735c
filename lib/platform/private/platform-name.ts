import { Annotations, Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropValidator } from '../../workloads/private/validate';

/** Marks a platform stack (EKS or self-managed) and holds its platformName. */
const PLATFORM_NAME = Symbol.for('cdk-k8s-platform.platformName');

/** A name every platform accepts (the self-managed one is the shorter). */
const VALID_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/** Warning id: another platform stack has the name and may deploy to the same account and region. */
export const SHARED_PLATFORM_NAME_WARNING = 'cdk-k8s-platform:platformNameShared';

/**
 * Records `name` as the platformName of `stack`, and refuses it when another platform stack of the app has it and
 * deploys to the same account and region: the names made from it would collide there, and each cluster's
 * workloads could read the other's secrets. In one stage, two env-agnostic stacks deploy to the same place (the
 * CLI's). Where the place is not known, a warning (acknowledgeable), so that a synth does not pass or fail with the
 * credentials of the machine: in one stage when only one of the two names its account or region; across stages
 * (beta and gamma, often other accounts) whenever either does not, since an env-agnostic stage deploys wherever
 * whoever deploys it points, which may be the other stage's account.
 */
export function claimPlatformName(stack: Stack, v: PropValidator, name: string): void {
  const stage = Stage.of(stack);
  const others = platformStacks(stack.node.root).filter(s => s !== stack && s[PLATFORM_NAME] === name)
    .map(s => ({ stack: s, place: Stage.of(s) === stage ? placeOf(s, stack) : placeAcrossStages(s, stack) }));
  const same = others.find(o => o.place === 'same')?.stack;
  const what = (other: Stack, deploys: string) => `is also the platformName of stack ${other.node.path}, which ${deploys} the same account and `
    + `region: the names made from it would collide there (the cluster "${name}", the backup vault "${name}-volumes") and the External `
    + `Secrets of each cluster could read the other's secrets (under "${name}/"). Give each platform its own name, e.g. "${suggestion(stack, name)}".`;
  v.check(same === undefined, 'platformName', name, same ? what(same, 'deploys to') : '');
  const maybe = others.find(o => o.place === 'maybe')?.stack;
  if (maybe) {
    Annotations.of(stack).addWarningV2(SHARED_PLATFORM_NAME_WARNING, `platformName "${name}" ${what(maybe, 'may deploy to (not both name their account and region)')} `
      + `If they never deploy to one account and region, acknowledge this warning on stack ${stack.node.path}.`);
  }
  Object.defineProperty(stack, PLATFORM_NAME, { value: name });
}

/** A name to suggest instead of `name`: `<name>-<stage>` in a stage, else the stack's id, else `<name>-b`. */
function suggestion(stack: Stack, name: string): string {
  const stage = Stage.of(stack);
  const inStage = stage?.node.scope ? `${name}-${stage.node.id.toLowerCase()}` : undefined;
  return [inStage, stack.node.id].find(n => n !== undefined && n !== name && VALID_NAME.test(n)) ?? `${name.slice(0, 30)}-b`;
}

type PlatformStack = Stack & { readonly [PLATFORM_NAME]?: string };

/** The platform stacks under `scope`, those of nested stages included. */
function platformStacks(scope: IConstruct): PlatformStack[] {
  const found: PlatformStack[] = [];
  for (const child of scope.node.children) {
    if (Stack.isStack(child) && (child as PlatformStack)[PLATFORM_NAME] !== undefined) found.push(child as PlatformStack);
    found.push(...platformStacks(child));
  }
  return found;
}

/**
 * Where two stacks of different stages deploy: the same place when both name the same account and region,
 * different places when they name a different account or region, else perhaps the same (an env-agnostic stage
 * takes the account and region of whoever deploys it, usually but not always not the other stage's).
 */
function placeAcrossStages(a: Stack, b: Stack): 'same' | 'maybe' | 'different' {
  const place = placeOf(a, b);
  const known = [a.account, a.region, b.account, b.region].every(x => !Token.isUnresolved(x));
  return place === 'same' && !known ? 'maybe' : place;
}

/**
 * Where two stacks deploy, one dimension (account, region) at a time: the same value, or both unresolved (both
 * take the CLI's), is the same place; two different values are different places; one unresolved may be either.
 */
function placeOf(a: Stack, b: Stack): 'same' | 'maybe' | 'different' {
  const dims = [[a.account, b.account], [a.region, b.region]].map(([x, y]) => {
    const [ux, uy] = [Token.isUnresolved(x), Token.isUnresolved(y)];
    if (ux && uy) return 'same';
    if (ux || uy) return 'maybe';
    return x === y ? 'same' : 'different';
  });
  if (dims.includes('different')) return 'different';
  return dims.includes('maybe') ? 'maybe' : 'same';
}
