import { KeyPath } from './compose-source';
import { Findings } from './findings';
import { Call, PlanValue } from './plan';
import { durationMillis } from './units';

const DEFAULT_TIMEOUT = 3;

/** Whole seconds, at least 1, of a Compose duration; undefined when not given. */
function seconds(f: Findings, at: KeyPath, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const ms = durationMillis(value);
  if (ms === undefined) {
    f.error(at, `is ${JSON.stringify(value)}, not a duration: write it like "10s", "1m30s" or "500ms".`);
    return undefined;
  }
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s * 1000 !== ms) f.info(at, `is rounded up to ${s}s: probe timings are whole seconds.`);
  return s;
}

/** The exec command of a healthcheck `test`. */
function command(f: Findings, at: KeyPath, test: unknown): string[] | undefined {
  if (typeof test === 'string') return ['/bin/sh', '-c', test];
  if (!Array.isArray(test) || test.length === 0) return undefined;
  const [kind, ...rest] = test.map(String);
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  if (kind === 'NONE') return undefined;
  f.error(at, `starts with "${kind}": a healthcheck test is ["CMD", ...], ["CMD-SHELL", "command"], ["NONE"] or a string.`);
  return undefined;
}

/** `healthcheck` → the `probes` prop: exec probes with the healthcheck's timings; undefined keeps the defaults. */
export function mapHealthcheck(f: Findings, service: KeyPath, value: unknown): PlanValue | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const at = [...service, 'healthcheck'];
  const hc = value as Record<string, unknown>;
  const cmd = hc.disable === true ? undefined : command(f, [...at, 'test'], hc.test);
  if (!cmd) {
    f.info(at, 'turns the healthcheck off: the workload keeps its default probes (TCP on the first port; none for a worker without ports).');
    return undefined;
  }
  const period = seconds(f, [...at, 'interval'], hc.interval);
  let timeout = seconds(f, [...at, 'timeout'], hc.timeout);
  if (timeout !== undefined && timeout > (period ?? 10)) {
    f.info([...at, 'timeout'], `is longer than the interval (${period ?? 10}s): a probe's timeout may not exceed its period, so it is ${period ?? 10}s.`);
    timeout = period ?? 10;
  }
  // the default timeout (3 s) may not exceed a shorter period either
  if (timeout === undefined && period !== undefined && period < DEFAULT_TIMEOUT) timeout = period;
  const timings: Record<string, PlanValue> = {};
  if (period !== undefined) timings.period = new Call('Duration.seconds', [period]);
  if (timeout !== undefined) timings.timeout = new Call('Duration.seconds', [timeout]);
  if (typeof hc.retries === 'number') timings.failureThreshold = Math.max(1, hc.retries);
  const probe = (t: Record<string, PlanValue>) => new Call('Probe.exec', Object.keys(t).length ? [cmd, t] : [cmd]);
  const probes: Record<string, PlanValue> = { readiness: probe(timings), liveness: probe(timings) };
  const startPeriod = seconds(f, [...at, 'start_period'], hc.start_period);
  if (startPeriod !== undefined) {
    const every = seconds(f, [...at, 'start_interval'], hc.start_interval) ?? 5;
    const startup: Record<string, PlanValue> = { period: new Call('Duration.seconds', [every]), failureThreshold: Math.max(1, Math.ceil(startPeriod / every)) };
    if ((timeout ?? DEFAULT_TIMEOUT) > every) startup.timeout = new Call('Duration.seconds', [every]);
    probes.startup = probe(startup);
  }
  return probes;
}
