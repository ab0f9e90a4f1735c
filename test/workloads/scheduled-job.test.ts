import { Cron, Duration } from 'cdk8s';
import { all, expectPropError, newChart, one, synthValid } from './fixtures';
import {
  ConcurrencyPolicy, CronSchedule, JobRestartPolicy, KubeObject, ScheduledJob, ScheduledJobProps,
} from '../../lib/workloads';

const BASE: ScheduledJobProps = { image: 'ghcr.io/acme/backup:1.4.0', schedule: CronSchedule.expression('30 2 * * *') };

function synth(props: Partial<ScheduledJobProps> = {}): { objects: KubeObject[]; job: ScheduledJob } {
  const chart = newChart();
  const job = new ScheduledJob(chart, 'backup', { ...BASE, ...props });
  return { objects: synthValid(chart), job };
}

describe('ScheduledJob defaults', () => {
  let objects: KubeObject[];
  beforeAll(() => ({ objects } = synth()));

  test('a CronJob (batch/v1) and a NetworkPolicy', () => {
    expect(objects.map(o => `${o.apiVersion} ${o.kind}/${o.metadata.name}`)).toEqual(['batch/v1 CronJob/backup', 'networking.k8s.io/v1 NetworkPolicy/backup']);
  });

  test('schedule, no overlap, history limits, not suspended', () => {
    const spec = one(objects, 'CronJob').spec;
    expect(spec).toMatchObject({ schedule: '30 2 * * *', concurrencyPolicy: 'Forbid', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, suspend: false });
    expect(spec.timeZone).toBeUndefined();
    expect(spec.startingDeadlineSeconds).toBeUndefined();
  });

  test('the job: 3 retries, one pod, no deadline, restart on failure', () => {
    const job = one(objects, 'CronJob').spec.jobTemplate.spec;
    expect(job).toMatchObject({ backoffLimit: 3, parallelism: 1, completions: 1 });
    expect(job.activeDeadlineSeconds).toBeUndefined();
    expect(job.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.template.spec.restartPolicy).toBe('OnFailure');
  });

  test('secure pod without ports or probes', () => {
    const pod = one(objects, 'CronJob').spec.jobTemplate.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
    expect(c.ports).toBeUndefined();
    expect(c.readinessProbe ?? c.livenessProbe ?? c.startupProbe).toBeUndefined();
  });

  test('component job on the CronJob, the job template and the pods', () => {
    const cj = one(objects, 'CronJob');
    expect(cj.metadata.labels['app.kubernetes.io/component']).toBe('job');
    expect(cj.spec.jobTemplate.metadata.labels['app.kubernetes.io/component']).toBe('job');
    expect(cj.spec.jobTemplate.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('job');
  });

  test('all ingress to the job\'s pods is denied', () => {
    const np = one(objects, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress ?? []).toEqual([]);
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });
});

describe('ScheduledJob options', () => {
  test('every option maps to its field', () => {
    const { objects, job } = synth({
      schedule: CronSchedule.hourly(),
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: ConcurrencyPolicy.REPLACE,
      startingDeadline: Duration.minutes(5),
      backoffLimit: 0,
      activeDeadline: Duration.hours(1),
      ttlAfterFinished: Duration.days(1),
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 2,
      restartPolicy: JobRestartPolicy.NEVER,
      suspend: true,
      parallelism: 2,
      completions: 4,
    });
    const spec = one(objects, 'CronJob').spec;
    expect(spec).toMatchObject({
      schedule: '@hourly',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Replace',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 2,
      suspend: true,
    });
    expect(spec.jobTemplate.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 3600,
      ttlSecondsAfterFinished: 86400,
      parallelism: 2,
      completions: 4,
    });
    expect(spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.cronJob.kind).toBe('CronJob');
  });

  test.each([
    [CronSchedule.daily(), '@daily'],
    [CronSchedule.weekly(), '@weekly'],
    [CronSchedule.monthly(), '@monthly'],
    [CronSchedule.yearly(), '@yearly'],
    [CronSchedule.fromCron(Cron.schedule({ minute: '0', hour: '3', weekDay: 'MON-FRI' })), '0 3 * * MON-FRI'],
    [CronSchedule.expression('*/15 8-18 1,15 JAN-JUN 1-5'), '*/15 8-18 1,15 JAN-JUN 1-5'],
    [CronSchedule.expression('0 0 ? * SUN'), '0 0 ? * SUN'],
  ])('schedule %#', (schedule, expected) => {
    expect(one(synth({ schedule }).objects, 'CronJob').spec.schedule).toBe(expected);
  });

  test('ConcurrencyPolicy.ALLOW', () => {
    expect(one(synth({ concurrencyPolicy: ConcurrencyPolicy.ALLOW }).objects, 'CronJob').spec.concurrencyPolicy).toBe('Allow');
  });

  test('denyIngress false: no NetworkPolicy', () => {
    const { objects, job } = synth({ denyIngress: false });
    expect(all(objects, 'NetworkPolicy')).toHaveLength(0);
    expect(job.networkPolicy).toBeUndefined();
  });
});

describe('ScheduledJob validation', () => {
  const fail = (props: Partial<ScheduledJobProps>, prop: string, value: string, says: string | RegExp) =>
    expectPropError(() => new ScheduledJob(newChart(), 'backup', { ...BASE, ...props }), { path: 'shop/backup', prop: `ScheduledJob.${prop}`, value, says });

  test.each([
    ['0 3 * *', /has 4 fields; a schedule has 5/],
    ['0 3 * * * *', /has 6 fields/],
    ['60 3 * * *', /invalid minute field: 60 is outside 0-59/],
    ['0 24 * * *', /invalid hour field: 24 is outside 0-23/],
    ['0 3 0 * *', /invalid day of month field: 0 is outside 1-31/],
    ['0 3 * 13 *', /invalid month field: 13 is outside 1-12/],
    ['0 3 * * 8', /invalid day of week field: 8 is outside 0-7/],
    ['0 3 * * FOO', /invalid day of week field: "FOO" is not a value \(0-7 or SUN-SAT\)/],
    ['5-1 * * * *', /range 5-1 runs backwards/],
    ['*/0 * * * *', /step "0" must be a whole number/],
    ['@every 5m', /is not a known macro/],
    ['TZ=UTC 0 3 * * *', /use the timeZone prop/],
    ['', /is empty/],
    ['0 0 31 2 *', /never runs: day of month 31 does not occur in month 2/],
    ['0 0 30,31 FEB *', /never runs: day of month 30,31 does not occur in month FEB/],
    ['0 0 31 4,6,9,11 ?', /never runs/],
  ])('schedule %j is refused', (expression, says) => {
    fail({ schedule: CronSchedule.expression(expression) }, 'schedule', JSON.stringify(expression), says);
  });

  test('a schedule is refused as never running exactly when no day of its months is one of its days (day of week *)', () => {
    const days = ['1', '28', '29', '30', '31', '29-31', '30,31', '31/2', '15/16'];
    const months = ['1', '2', '4', 'FEB', '2,4', '4,6,9,11', '2/2', '*'];
    const expandDays = (f: string) => { // the fields above only: value, list, range, value/step (to 31)
      const out: number[] = [];
      for (const item of f.split(',')) {
        const [range, step] = item.split('/');
        const [lo, hi] = range.split('-').map(Number);
        for (let d = lo; d <= (hi ?? (step ? 31 : lo)); d += Number(step ?? 1)) out.push(d);
      }
      return out;
    };
    const monthNumbers = (f: string) => (f === '*' ? [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] : f === 'FEB' ? [2]
      : f.includes('/') ? [2, 4, 6, 8, 10, 12] : f.split(',').map(Number));
    // a leap year: February 29 exists
    const occurs = (d: number, m: number) => new Date(Date.UTC(2028, m - 1, d)).getUTCDate() === d;
    for (const dom of days) {
      for (const month of months) {
        const runs = expandDays(dom).some(d => monthNumbers(month).some(m => occurs(d, m)));
        const build = () => new ScheduledJob(newChart(), 'backup', { ...BASE, schedule: CronSchedule.expression(`0 0 ${dom} ${month} *`) });
        if (runs) expect(build).not.toThrow();
        else expect(build).toThrow(/never runs/);
      }
    }
    // a day of week as well: either field starts a run
    expect(() => new ScheduledJob(newChart(), 'backup', { ...BASE, schedule: CronSchedule.expression('0 0 31 2 MON') })).not.toThrow();
  });

  test('schedule errors say what is allowed', () => {
    fail({ schedule: CronSchedule.expression('daily') }, 'schedule', '"daily"', 'Use five fields (minute hour day-of-month month day-of-week) such as "0 3 * * *", or @hourly');
  });

  test.each([
    ['Mars/Olympus', 'is not in the IANA time zone database'],
    ['Europe Berlin', 'must be an IANA time zone name'],
    ['+01:00', 'must be an IANA time zone name'],
    ['Local', '"Local" depends on the controller'],
    // ICU (Node's Intl) accepts these; the API server, which reads the IANA database, refuses them
    ['PST', 'is an alias that only ICU knows, not in the IANA time zone database the Kubernetes API server reads: name the zone, e.g. "America/Los_Angeles" (e.g. "UTC", "Europe/Berlin").'],
    ['IST', 'e.g. "Asia/Calcutta"'],
    ['SystemV/PST8', 'is an alias that only ICU knows'],
    ['europe/paris', 'is not spelled as in the IANA time zone database: write "Europe/Paris" (e.g. "UTC", "Europe/Berlin").'],
  ])('time zone %j is refused', (timeZone, says) => {
    fail({ timeZone }, 'timeZone', JSON.stringify(timeZone), says);
  });

  test.each(['UTC', 'EST', 'GB', 'US/Pacific', 'Etc/UTC', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata'])('IANA name %j (a zone or a link) is accepted', timeZone => {
    expect(() => new ScheduledJob(newChart(), 'job', { ...BASE, timeZone })).not.toThrow();
  });

  test('numbers and durations in range', () => {
    fail({ backoffLimit: -1 }, 'backoffLimit', '-1', 'must be an integer from 0 to 1000.');
    fail({ successfulJobsHistoryLimit: 1.5 }, 'successfulJobsHistoryLimit', '1.5', 'must be an integer from 0 to 100.');
    fail({ failedJobsHistoryLimit: 101 }, 'failedJobsHistoryLimit', '101', 'must be an integer from 0 to 100.');
    fail({ parallelism: 0 }, 'parallelism', '0', 'must be an integer from 1 to 1000.');
    fail({ completions: 0 }, 'completions', '0', 'must be an integer from 1 to 100000.');
    fail({ startingDeadline: Duration.seconds(5) }, 'startingDeadline', '5', 'must be an integer from 10 to 31536000 (seconds).');
    fail({ activeDeadline: Duration.millis(500) }, 'activeDeadline', '0.5', 'must be an integer from 1 to 31536000 (seconds).');
  });

  test('names are at most 52 characters', () => {
    const long = 'b'.repeat(53);
    fail({ name: long }, 'name', JSON.stringify(long), 'must be at most 52 characters');
  });

  test('a schedule is required', () => {
    fail({ schedule: undefined as never }, 'schedule', 'undefined', 'is required: use CronSchedule.expression');
  });
});
