import { App, Annotations as StackAnnotations, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { EksPlatformStack, SelfManagedPlatformStack } from '../../lib/platform';
import { SHARED_PLATFORM_NAME_WARNING } from '../../lib/platform/private/platform-name';

const IRELAND = { env: { account: '111111111111', region: 'eu-west-1' } };

describe('one platformName per account and region', () => {
  test('two env-agnostic stacks (both deploy where the CLI points) with one name: the second is refused, naming both and what collides', () => {
    const app = new App();
    new EksPlatformStack(app, 'demo-eks', { platformName: 'demo' });
    expect(() => new SelfManagedPlatformStack(app, 'demo-k3s', { platformName: 'demo' })).toThrow(
      '[demo-k3s] SelfManagedPlatformStack.platformName is "demo": is also the platformName of stack demo-eks, which deploys to the same '
      + 'account and region: the names made from it would collide there (the cluster "demo", the backup vault "demo-volumes") and the '
      + 'External Secrets of each cluster could read the other\'s secrets (under "demo/"). Give each platform its own name, e.g. "demo-k3s".');
  });

  test('the same explicit account and region: refused, also for a stack made under another stack, with a name that fits', () => {
    const app = new App();
    new SelfManagedPlatformStack(app, 'a', { platformName: 'acme', ...IRELAND });
    expect(() => new SelfManagedPlatformStack(app, 'b', { platformName: 'acme', ...IRELAND })).toThrow(/platformName is "acme": is also the platformName of stack a, which deploys to .* e\.g\. "acme-b"/);
    const long = 'platform-production-eu-west-a12';
    const parent = new Stack(app, 'Parent', IRELAND);
    new SelfManagedPlatformStack(parent, 'c', { platformName: long, ...IRELAND });
    expect(() => new SelfManagedPlatformStack(parent, 'Nested', { platformName: long, ...IRELAND }))
      .toThrow('is also the platformName of stack Parent/c, which deploys to the same account and region');
    expect(() => new SelfManagedPlatformStack(parent, 'Nested2', { platformName: long, ...IRELAND })).toThrow(`e.g. "${long.slice(0, 30)}-b".`);
  });

  test('only one of them names its account or region: a warning, not an error (the synth must not depend on the credentials)', () => {
    const app = new App();
    new SelfManagedPlatformStack(app, 'prod', { platformName: 'acme', ...IRELAND });
    const dev = new SelfManagedPlatformStack(app, 'dev', { platformName: 'acme' });
    const warnings = Annotations.fromStack(dev).findWarning('/dev', Match.stringLikeRegexp('platformName "acme" is also the platformName of stack prod'));
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringContaining(
      'which may deploy to (not both name their account and region) the same account and region')]);
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringContaining(`[ack: ${SHARED_PLATFORM_NAME_WARNING}]`)]);
  });

  test('two stages, or the app and a stage, that name the same account and region (beta and gamma in one account): refused', () => {
    const app = new App();
    new SelfManagedPlatformStack(new Stage(app, 'Beta'), 'platform', { platformName: 'acme', ...IRELAND });
    expect(() => new SelfManagedPlatformStack(new Stage(app, 'Gamma'), 'platform', { platformName: 'acme', ...IRELAND }))
      .toThrow('[Gamma/platform] SelfManagedPlatformStack.platformName is "acme": is also the platformName of stack Beta/platform, which deploys to the same account and region');
    // a stack of the app itself and one of a stage made after it
    const other = new App();
    new EksPlatformStack(other, 'dev', { platformName: 'acme', ...IRELAND });
    expect(() => new EksPlatformStack(new Stage(other, 'Prod'), 'platform', { platformName: 'acme', ...IRELAND }))
      .toThrow('is also the platformName of stack dev, which deploys to the same account and region');
  });

  test('other regions, other accounts and other names pass without a warning', () => {
    const app = new App();
    new SelfManagedPlatformStack(app, 'ireland', { platformName: 'acme', ...IRELAND });
    const others = [
      new SelfManagedPlatformStack(app, 'frankfurt', { platformName: 'acme', env: { account: '111111111111', region: 'eu-central-1' } }),
      new SelfManagedPlatformStack(app, 'other-account', { platformName: 'acme', env: { account: '222222222222', region: 'eu-west-1' } }),
      new SelfManagedPlatformStack(new Stage(app, 'Prod', { env: { account: '333333333333', region: 'eu-west-1' } }), 'ireland', { platformName: 'acme' }),
      // a stage that names only its region, another than all of the others: a different place whatever the account
      new SelfManagedPlatformStack(new Stage(app, 'Paris', { env: { region: 'eu-west-3' } }), 'paris', { platformName: 'acme' }),
      new SelfManagedPlatformStack(app, 'shop', { platformName: 'shop', ...IRELAND }),
    ];
    for (const stack of others) expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('platformName'))).toEqual([]);
  });

  test('stages that do not name their account and region (beta and gamma deployed with other credentials) warn, and the warning can be acknowledged', () => {
    const app = new App();
    new SelfManagedPlatformStack(new Stage(app, 'Beta'), 'platform', { platformName: 'acme' });
    const gamma = new SelfManagedPlatformStack(new Stage(app, 'Gamma'), 'platform', { platformName: 'acme' });
    const prod = new SelfManagedPlatformStack(new Stage(app, 'Prod', IRELAND), 'platform', { platformName: 'acme' });
    const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('platformName "acme"')).map(w => w.entry.data);
    expect(warnings(gamma)).toEqual([expect.stringContaining('is also the platformName of stack Beta/platform, which may deploy to (not both name their '
      + 'account and region) the same account and region')]);
    expect(warnings(gamma)).toEqual([expect.stringContaining('If they never deploy to one account and region, acknowledge this warning on stack Gamma/platform.')]);
    // Prod names its place; Beta and Gamma may be deployed there
    expect(warnings(prod)).toEqual([expect.stringContaining('is also the platformName of stack Beta/platform, which may deploy to')]);
    expect(warnings(gamma)).toEqual([expect.stringContaining('Give each platform its own name, e.g. "acme-gamma".')]);
    // acknowledged on the stack or on its stage (before the synth), the warning is gone
    const acknowledged = new App();
    new SelfManagedPlatformStack(new Stage(acknowledged, 'Beta'), 'platform', { platformName: 'acme' });
    const gamma2 = new SelfManagedPlatformStack(new Stage(acknowledged, 'Gamma'), 'platform', { platformName: 'acme' });
    const prod2 = new SelfManagedPlatformStack(new Stage(acknowledged, 'Prod', IRELAND), 'platform', { platformName: 'acme' });
    StackAnnotations.of(gamma2).acknowledgeWarning(SHARED_PLATFORM_NAME_WARNING, 'Beta and Gamma are deployed with their own accounts\' credentials');
    StackAnnotations.of(prod2.node.scope!).acknowledgeWarning(SHARED_PLATFORM_NAME_WARNING, 'Prod has its own account');
    expect([warnings(gamma2), warnings(prod2)]).toEqual([[], []]);
  });
});
