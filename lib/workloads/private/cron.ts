const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field { readonly name: string; readonly min: number; readonly max: number; readonly names?: string[]; readonly question?: boolean }

const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS, question: true },
];

function value(text: string, f: Field): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toUpperCase()) ?? -1;
  if (i < 0) return undefined;
  return f.name === 'month' ? i + 1 : i;
}

function checkField(text: string, f: Field): string | undefined {
  for (const item of text.split(',')) {
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return `"${item}" has more than one "/"`;
    if (step !== undefined && (!/^[0-9]+$/.test(step) || Number(step) < 1 || Number(step) > f.max)) return `step "${step}" must be a whole number from 1 to ${f.max}`;
    if (range === '*' || (range === '?' && f.question)) continue;
    const [lo, hi, more] = range.split('-');
    if (more !== undefined) return `"${range}" is not a value or a range`;
    const a = value(lo, f);
    const b = hi === undefined ? a : value(hi, f);
    if (a === undefined || b === undefined) return `"${range}" is not a value${f.names ? ` (${f.min}-${f.max} or ${f.names[0]}-${f.names[f.names.length - 1]})` : ''}`;
    if (a < f.min || b > f.max) return `${range} is outside ${f.min}-${f.max}`;
    if (a > b) return `range ${range} runs backwards`;
  }
  return undefined;
}

/**
 * Checks a CronJob schedule: five fields (minute hour day-of-month month day-of-week) or one of the macros
 * Kubernetes accepts. Returns what is wrong, or undefined.
 */
export function cronProblem(expression: string): string | undefined {
  if (typeof expression !== 'string' || expression.trim() === '') return 'is empty';
  const expr = expression.trim();
  if (/^(CRON_)?TZ=/.test(expr)) return 'sets the time zone inside the schedule, which Kubernetes rejects: use the timeZone prop';
  if (expr.startsWith('@')) return MACROS.has(expr) ? undefined : `is not a known macro (${[...MACROS].join(', ')})`;
  const parts = expr.split(/\s+/);
  if (parts.length !== 5) return `has ${parts.length} field${parts.length === 1 ? '' : 's'}; a schedule has 5 (minute hour day-of-month month day-of-week)`;
  for (let i = 0; i < 5; i++) {
    const problem = checkField(parts[i], FIELDS[i]);
    if (problem) return `has an invalid ${FIELDS[i].name} field: ${problem}`;
  }
  return neverFires(parts);
}

/** The longest month lengths (February: 29, in leap years). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The values a checked field selects. */
function expand(text: string, f: Field): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, step] = item.split('/');
    const [lo, hi] = range === '*' || range === '?' ? [f.min, f.max] : range.split('-').map(x => value(x, f)!);
    const last = hi ?? (step === undefined ? lo : f.max);
    for (let n = lo; n <= last; n += step === undefined ? 1 : Number(step)) out.add(n);
  }
  return out;
}

/**
 * A schedule whose days of month never occur in its months (`0 0 31 2 *`, `0 0 31 4,6 *`): the CronJob would
 * never run. Only when the day of week is `*` or `?` (otherwise either field matching starts a run).
 */
function neverFires(parts: string[]): string | undefined {
  if (!['*', '?'].includes(parts[4]) || ['*', '?'].includes(parts[2])) return undefined;
  const days = expand(parts[2], FIELDS[2]);
  const months = expand(parts[3], FIELDS[3]);
  for (const m of months) for (const d of days) if (d <= MONTH_DAYS[m - 1]) return undefined;
  return `never runs: day of month ${parts[2]} does not occur in month ${parts[3]}`;
}

/** An IANA time zone name such as "Europe/Berlin", "UTC" or "America/Argentina/Buenos_Aires". */
export function timeZoneProblem(tz: string): string | undefined {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return 'must be an IANA time zone name';
  if (tz.toLowerCase() === 'local') return '"Local" depends on the controller\'s machine; name an explicit IANA time zone';
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9][A-Za-z0-9_+-]*)*$/.test(tz)) return 'must be an IANA time zone name';
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return 'is not in the IANA time zone database';
  }
  // Node's ICU also knows IDs that are not in the IANA database, which the API server loads them from
  if (ICU_ONLY_IDS.has(tz) || tz.startsWith('SystemV/')) {
    return `is an alias that only ICU knows, not in the IANA time zone database the Kubernetes API server reads: name the zone, e.g. "${canonical}"`;
  }
  // ICU ignores case; the API server does not
  if (tz !== canonical && tz.toLowerCase() === canonical.toLowerCase()) return `is not spelled as in the IANA time zone database: write "${canonical}"`;
  return undefined;
}

/**
 * The three-letter IDs ICU accepts (Java's old short IDs) that the IANA database does not have; those it has (EST,
 * MST, HST, GMT, UTC, CET, EET, MET, WET, PRC, ROC, ROK, NZ, GB) are valid.
 */
const ICU_ONLY_IDS: ReadonlySet<string> = new Set(['ACT', 'AET', 'AGT', 'ART', 'AST', 'BET', 'BST', 'CAT', 'CNT', 'CST', 'CTT', 'EAT',
  'ECT', 'IET', 'IST', 'JST', 'MIT', 'NET', 'NST', 'PLT', 'PNT', 'PRT', 'PST', 'SST', 'VST']);
