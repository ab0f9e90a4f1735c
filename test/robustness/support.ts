/* Shared builders of the robustness tests: every stack kind the library can produce, optionally with workloads. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { SelfManagedPlatformStack, SelfManagedPlatformStackProps, SelfManagedDistribution } from '../../lib/platform';
import { EksPlatformStack, EksPlatformStackProps } from '../../lib/platform/eks-platform-stack';
import { ClusterTraits, PlatformChart, SecretRef, WebService } from '../../lib/workloads';

const created: string[] = [];
/** A fresh temporary directory, removed after the test file. */
export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk-k8s-platform-robustness-${prefix}-`));
  created.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A chart with one web service (image tag and names vary per release). */
export function webChart(traits: ClusterTraits, options: { tag?: string; services?: string[]; secrets?: boolean } = {}): PlatformChart {
  const chart = new PlatformChart(new cdk8s.App(), 'shop', { traits, namespace: 'shop' });
  for (const name of options.services ?? ['web']) {
    new WebService(chart, name, {
      image: `public.ecr.aws/nginx/nginx:${options.tag ?? '1.27'}`,
      replicas: 2,
      ...(options.secrets ? {
        secretEnv: {
          // from Secrets Manager where the cluster runs the External Secrets Operator, else an existing Secret
          DB_PASSWORD: traits.externalSecretStore
            ? SecretRef.fromAwsSecretsManager({ remoteName: 'acme/shop/db', property: 'password' })
            : SecretRef.fromSecret('shop-db', 'password'),
          API_TOKEN: SecretRef.fromSecret('shop-api', 'token'),
        },
      } : {}),
    });
  }
  return chart;
}

/** An EKS platform app. */
export function eksApp(props: Partial<EksPlatformStackProps> = {}, appProps: AppProps = {}): { app: App; stack: EksPlatformStack } {
  const app = new App(appProps);
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme', ...props });
  return { app, stack };
}

/** A self-managed (k3s or kubeadm) platform app. */
export function selfManagedApp(distribution: 'k3s' | 'kubeadm', props: Partial<SelfManagedPlatformStackProps> = {}, appProps: AppProps = {}): { app: App; stack: SelfManagedPlatformStack } {
  const app = new App(appProps);
  const d = distribution === 'k3s' ? SelfManagedDistribution.k3s() : SelfManagedDistribution.kubeadm();
  const stack = new SelfManagedPlatformStack(app, `acme-${distribution}`, { platformName: 'acme', distribution: d, ...props });
  return { app, stack };
}

/** Every file below `dir`, recursively. */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Runs `build` and returns the message it threw, or undefined when it did not throw. */
export function thrownMessage(build: () => unknown): string | undefined {
  try {
    build();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** Runs `build`, which must throw, and returns the message; fails the test when nothing is thrown. */
export function expectThrownMessage(build: () => unknown): string {
  const message = thrownMessage(build);
  if (message === undefined) throw new Error('expected an error, but nothing was thrown');
  return message;
}
