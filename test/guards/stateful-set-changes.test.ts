import * as fs from 'fs';
import * as path from 'path';
import { App as K8sApp, Size } from 'cdk8s';
import { PlatformChart, StatefulService, WebServicePort } from '../../lib';
import { AllowReplacement, ALLOW_REPLACEMENT_CONTEXT, ReplacementGuard } from '../../lib/guards';
import { eksApp, expectThrownMessage, tmpDir } from '../robustness/support';

// On EKS a StatefulService is upgraded by Helm, and the API server refuses a StatefulSet whose claim templates
// (or serviceName, podManagementPolicy, selector) change: the deploy would fail and the stack roll back. The
// guard records each release's StatefulSets and refuses such a change at synth, with the way to grow a volume.

const OUTDIR = tmpDir('stateful-set-guard-out');
const PORTS: WebServicePort[] = [{ name: 'postgres', port: 5432 }];

interface Db {
  readonly size?: Size;
  readonly storageClassName?: string;
  readonly replicas?: number;
  readonly allow?: AllowReplacement[];
  readonly context?: Record<string, unknown>;
}

function synth(lockFile: string, db: Db = {}): void {
  const { app, stack } = eksApp({}, { outdir: OUTDIR, context: db.context });
  const chart = new PlatformChart(new K8sApp(), 'data', { traits: stack.cluster.traits, namespace: 'shop' });
  new StatefulService(chart, 'db', {
    image: 'public.ecr.aws/docker/library/postgres:16.4',
    ports: PORTS,
    replicas: db.replicas,
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: db.size ?? Size.gibibytes(10), storageClassName: db.storageClassName }],
  });
  stack.cluster.addWorkloads('apps', [chart]);
  new ReplacementGuard(app, 'ReplacementGuard', { lockFile, allowReplacement: db.allow });
  app.synth();
}

interface Recorded { category: string; release?: { name: string; statefulSets?: Record<string, string> } }
const recorded = (file: string) => (Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).stacks['acme-eks']) as Recorded[])
  .filter(r => r.category === 'Release').map(r => r.release!);

describe('ReplacementGuard: StatefulSets of workload releases', () => {
  let base: string;
  beforeAll(() => {
    base = path.join(tmpDir('stateful-set-guard'), 'platform.lock.json');
    synth(base);
  });
  const copy = () => {
    const out = path.join(tmpDir('stateful-set-guard-case'), 'platform.lock.json');
    fs.copyFileSync(base, out);
    return out;
  };

  test('the lock records the release\'s StatefulSet and the fields the API server keeps immutable', () => {
    expect(recorded(base).find(r => r.name === 'apps-data')?.statefulSets).toEqual({
      'shop/db': 'claim data: 10Gi, class gp3, ReadWriteOnce; serviceName db-headless; podManagementPolicy OrderedReady; '
        + 'selector app.kubernetes.io/instance=db,app.kubernetes.io/name=db',
    });
  });

  test('a new volume size fails at synth, naming the StatefulSet, both sizes and how to grow the claims', () => {
    const message = expectThrownMessage(() => synth(copy(), { size: Size.gibibytes(30) }));
    expect(message).toContain('ReplacementGuard: Custom::AWSCDK-EKS-HelmChart ');
    expect(message).toContain(' is the Helm release "apps-data" of the delivery "apps"; fields of its StatefulSets that the API server keeps immutable '
      + 'would change (StatefulSet shop/db: claim data: 10Gi, class gp3, ReadWriteOnce → claim data: 30Gi, class gp3, ReadWriteOnce), '
      + 'so Helm\'s upgrade would fail and the stack roll back. To grow a volume: expand each claim (kubectl -n shop patch pvc data-db-0 -p '
      + '\'{"spec":{"resources":{"requests":{"storage":"30Gi"}}}}\', and data-db-1 ... for more replicas; its storage class must allow expansion, as gp3 does), delete the StatefulSet '
      + 'alone (kubectl -n shop delete statefulset db --cascade=orphan: its pods keep running), then deploy with the opt-in');
    expect(message).toContain('To accept it: allowReplacement: [AllowReplacement.STATEFUL_SET] or AllowReplacement.resource(');
    expect(message).toContain(`or \`cdk synth -c ${ALLOW_REPLACEMENT_CONTEXT}=StatefulSet\``);
  });

  test('another storage class fails too', () => {
    expect(expectThrownMessage(() => synth(copy(), { storageClassName: 'gp2' })))
      .toContain('(StatefulSet shop/db: claim data: 10Gi, class gp3, ReadWriteOnce → claim data: 10Gi, class gp2, ReadWriteOnce)');
  });

  test('more replicas (an update Helm can make) pass', () => {
    expect(() => synth(copy(), { replicas: 3 })).not.toThrow();
  });

  test('with the opt-in (prop or context) the synth passes and the lock records the new size; the Release opt-in is not enough', () => {
    expect(expectThrownMessage(() => synth(copy(), { size: Size.gibibytes(30), allow: [AllowReplacement.RELEASE] }))).toContain('AllowReplacement.STATEFUL_SET');
    const lock = copy();
    synth(lock, { size: Size.gibibytes(30), allow: [AllowReplacement.STATEFUL_SET] });
    expect(recorded(lock).find(r => r.name === 'apps-data')?.statefulSets?.['shop/db']).toContain('claim data: 30Gi');
    expect(() => synth(lock, { size: Size.gibibytes(30) })).not.toThrow();
    expect(() => synth(copy(), { size: Size.gibibytes(30), context: { [ALLOW_REPLACEMENT_CONTEXT]: 'StatefulSet' } })).not.toThrow();
  });

  test('a lock file written before StatefulSets were recorded compares nothing and records them', () => {
    const lock = copy();
    const file = JSON.parse(fs.readFileSync(lock, 'utf8'));
    for (const r of Object.values(file.stacks['acme-eks']) as Recorded[]) delete r.release?.statefulSets;
    fs.writeFileSync(lock, JSON.stringify(file));
    synth(lock, { size: Size.gibibytes(30) });
    expect(recorded(lock).find(r => r.name === 'apps-data')?.statefulSets?.['shop/db']).toContain('claim data: 30Gi');
  });
});
