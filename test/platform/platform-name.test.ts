import { App, Stage } from 'aws-cdk-lib';
import { EksPlatformStack, SelfManagedPlatformStack } from '../../lib/platform';

const AGNOSTIC = {};
const IRELAND = { env: { account: '111111111111', region: 'eu-west-1' } };

describe('one platformName per account and region', () => {
  test('a second platform stack with the name of one that may deploy to the same place is refused, naming both and what collides', () => {
    const app = new App();
    new EksPlatformStack(app, 'demo-eks', { platformName: 'demo' });
    expect(() => new SelfManagedPlatformStack(app, 'demo-k3s', { platformName: 'demo' })).toThrow(
      '[demo-k3s] SelfManagedPlatformStack.platformName is "demo": is also the platformName of stack demo-eks, which may deploy to the same '
      + 'account and region: the names made from it would collide there (the cluster "demo", the backup vault "demo-volumes") and the '
      + 'External Secrets of each cluster could read the other\'s secrets (under "demo/"). Give each platform its own name, e.g. "demo-k3s".');
  });

  test('an env-agnostic stack may deploy anywhere: it collides with one that has an environment', () => {
    const app = new App();
    new SelfManagedPlatformStack(app, 'a', { platformName: 'acme', ...IRELAND });
    expect(() => new SelfManagedPlatformStack(app, 'b', { platformName: 'acme', ...AGNOSTIC })).toThrow(/platformName is "acme": is also the platformName of stack a,.* e\.g\. "acme-b"/);
    expect(() => new SelfManagedPlatformStack(app, 'c', { platformName: 'acme', ...IRELAND })).toThrow(/is also the platformName of stack a/);
  });

  test('other regions, other accounts, other stages and other names pass', () => {
    const app = new App();
    new SelfManagedPlatformStack(app, 'ireland', { platformName: 'acme', ...IRELAND });
    expect(() => new SelfManagedPlatformStack(app, 'frankfurt', { platformName: 'acme', env: { account: '111111111111', region: 'eu-central-1' } })).not.toThrow();
    expect(() => new SelfManagedPlatformStack(app, 'other-account', { platformName: 'acme', env: { account: '222222222222', region: 'eu-west-1' } })).not.toThrow();
    expect(() => new SelfManagedPlatformStack(new Stage(app, 'Prod'), 'ireland', { platformName: 'acme', ...IRELAND })).not.toThrow();
    expect(() => new SelfManagedPlatformStack(app, 'shop', { platformName: 'shop', ...IRELAND })).not.toThrow();
  });
});
