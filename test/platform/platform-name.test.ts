import { App, Stack, Stage } from 'aws-cdk-lib';
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
      'which may deploy to (one of them does not name its account or region) the same account and region')]);
    expect(warnings.map(w => w.entry.data)).toEqual([expect.stringContaining(`[ack: ${SHARED_PLATFORM_NAME_WARNING}]`)]);
  });

  test('other regions, other accounts, other stages and other names pass without a warning', () => {
    const app = new App();
    new SelfManagedPlatformStack(app, 'ireland', { platformName: 'acme', ...IRELAND });
    const others = [
      new SelfManagedPlatformStack(app, 'frankfurt', { platformName: 'acme', env: { account: '111111111111', region: 'eu-central-1' } }),
      new SelfManagedPlatformStack(app, 'other-account', { platformName: 'acme', env: { account: '222222222222', region: 'eu-west-1' } }),
      new SelfManagedPlatformStack(new Stage(app, 'Prod'), 'ireland', { platformName: 'acme', ...IRELAND }),
      new SelfManagedPlatformStack(app, 'shop', { platformName: 'shop', ...IRELAND }),
    ];
    for (const stack of others) expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('platformName'))).toEqual([]);
  });
});
