import { Size, SizeRoundingBehavior } from 'cdk8s';
import { ContainerResources } from '../../container-resources';
import { k8s } from '../plus';
import { PropValidator } from '../validate';

/** Parses a `Cpu` amount ("250m", "0.5", "2") into millicores. */
export function cpuMillis(amount: string): number {
  const m = /^([0-9]*\.?[0-9]+)(m?)$/.exec(amount);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'm' ? n : n * 1000;
}

function sizeMi(size: Size): number {
  return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024;
}

const CPU_FIELDS = ['cpuRequest', 'cpuLimit'] as const;
const SIZE_FIELDS = ['memoryRequest', 'memoryLimit', 'ephemeralStorageRequest', 'ephemeralStorageLimit'] as const;

/**
 * Each field is a Cpu / Size or `false`: a plain value from JavaScript or JSON (`cpuRequest: "abc"`,
 * `memoryLimit: "512Mi"`) would otherwise be read as unset and silently replaced by the default.
 */
function checkTypes(v: PropValidator, r: ContainerResources | undefined): void {
  if (r === undefined) return;
  v.check(typeof r === 'object' && r !== null, 'resources', r, 'must be an object of Cpu and Size values (e.g. { cpuRequest: Cpu.millis(250) }).');
  for (const f of CPU_FIELDS) {
    const x: unknown = r[f];
    v.check(x === undefined || x === false || typeof (x as { amount?: unknown }).amount === 'string', `resources.${f}`, x,
      'must be a Cpu such as Cpu.millis(250) or Cpu.units(1), or false for none; strings and numbers are not read.');
  }
  for (const f of SIZE_FIELDS) {
    const x: unknown = r[f];
    v.check(x === undefined || x === false || typeof (x as { toKibibytes?: unknown }).toKibibytes === 'function', `resources.${f}`, x,
      'must be a Size such as Size.mebibytes(256), or false for none; strings and numbers are not read.');
  }
}

/** Resources with defaults, validated. */
export function buildResources(v: PropValidator, r: ContainerResources | undefined, defaults = true): k8s.ResourceRequirements | undefined {
  checkTypes(v, r);
  const pick = <T>(value: T | false | undefined, dflt: T | undefined): T | undefined => value === false ? undefined : value ?? (defaults ? dflt : undefined);
  const cpuReq = pick(r?.cpuRequest, undefined);
  const cpuLim = pick(r?.cpuLimit, undefined);
  const memReq = pick(r?.memoryRequest, Size.mebibytes(128));
  const memLim = pick(r?.memoryLimit, Size.mebibytes(256));
  const ephReq = pick(r?.ephemeralStorageRequest, undefined);
  const ephLim = pick(r?.ephemeralStorageLimit, undefined);
  const cpuRequestAmount = cpuReq?.amount ?? (r?.cpuRequest === false || !defaults ? undefined : '100m');
  const checkCpu = (prop: string, amount: string | undefined) => {
    if (amount === undefined) return undefined;
    const millis = cpuMillis(amount);
    v.check(Number.isFinite(millis) && millis >= 1, `resources.${prop}`, amount, 'must be a positive CPU quantity of at least 1m (e.g. Cpu.millis(250) or Cpu.units(1)).');
    return millis;
  };
  const checkSize = (prop: string, size: Size | undefined) => {
    if (size === undefined) return undefined;
    const mi = sizeMi(size);
    v.check(Number.isFinite(mi) && mi > 0, `resources.${prop}`, `${mi}Mi`, 'must be a positive size (e.g. Size.mebibytes(256)).');
    return mi;
  };
  const cr = checkCpu('cpuRequest', cpuRequestAmount);
  const cl = checkCpu('cpuLimit', cpuLim?.amount);
  const mr = checkSize('memoryRequest', memReq);
  const ml = checkSize('memoryLimit', memLim);
  const er = checkSize('ephemeralStorageRequest', ephReq);
  const el = checkSize('ephemeralStorageLimit', ephLim);
  if (cr !== undefined && cl !== undefined) v.check(cr <= cl, 'resources.cpuRequest', cpuRequestAmount, `must not exceed resources.cpuLimit (${cpuLim!.amount}).`);
  if (mr !== undefined && ml !== undefined) v.check(mr <= ml, 'resources.memoryRequest', `${mr}Mi`, `must not exceed resources.memoryLimit (${ml}Mi).`);
  if (er !== undefined && el !== undefined) v.check(er <= el, 'resources.ephemeralStorageRequest', `${er}Mi`, `must not exceed resources.ephemeralStorageLimit (${el}Mi).`);
  const q = (s: string) => k8s.Quantity.fromString(s);
  const mem = (mi: number) => Number.isInteger(mi) ? `${mi}Mi` : `${Math.round(mi * 1024)}Ki`;
  const requests: Record<string, k8s.Quantity> = {};
  const limits: Record<string, k8s.Quantity> = {};
  if (cpuRequestAmount !== undefined) requests.cpu = q(cpuRequestAmount);
  if (mr !== undefined) requests.memory = q(mem(mr));
  if (er !== undefined) requests['ephemeral-storage'] = q(mem(er));
  if (cl !== undefined) limits.cpu = q(cpuLim!.amount);
  if (ml !== undefined) limits.memory = q(mem(ml));
  if (el !== undefined) limits['ephemeral-storage'] = q(mem(el));
  if (!Object.keys(requests).length && !Object.keys(limits).length) return undefined;
  return {
    requests: Object.keys(requests).length ? requests : undefined,
    limits: Object.keys(limits).length ? limits : undefined,
  };
}
