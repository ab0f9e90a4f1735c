/**
 * A fast path for rendering plain Kubernetes objects as YAML, byte-identical to `yaml`'s `stringify` with
 * the options of {@link toYamlDocument} (YAML 1.1, no line folding, no anchors).
 *
 * The `yaml` library builds a document tree for every object, which made rendering the delivery's chart
 * the largest cost of synthesis (about 1.5 s of 6 s for 1000 web services; see docs/benchmarks.md). Typical
 * manifests only hold maps, lists, safe integers, booleans, null and strings that need no
 * quoting; those are written here directly. Anything else (a key that is not a simple name, a string that
 * `yaml` would quote or write as a block, a non-integer number, nested lists) makes the whole object fall
 * back to `yaml`, so the output never differs (checked by test/delivery/yaml-fast-path.test.ts).
 */

/** Keys written as they are: a letter, then letters, digits, '.', '_', '/' and '-'. */
const SIMPLE = /^[A-Za-z][A-Za-z0-9._/-]*$/;
/** The one form of SIMPLE that YAML 1.1 reads as a number: an exponent without digits before it (`e1`, `E-5`). */
const EXPONENT_ONLY = /^[eE]-?[0-9]+$/;
/** Words YAML 1.1 reads as booleans or null (they must be quoted as strings). */
const RESERVED = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE',
  'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'null', 'Null', 'NULL']);
const MAX_CACHED = 10_000;
/**
 * Strings the YAML 1.1 emitter writes plain when they do not resolve to another type: they start with a
 * letter, digit or '/' (no indicator character), hold no white space, and a ':' never ends them.
 */
const PLAIN_CANDIDATE = /^[A-Za-z0-9/][A-Za-z0-9._/%+@=:-]*$/;
/** Every plain form that YAML 1.1 (the `yaml` library's yaml-1.1 schema) resolves to a non-string. */
const TYPED_1_1 = [
  /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
  /^[-+]?0b[0-1_]+$/,
  /^[-+]?0[0-7_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
  /^<<$/,
];

/**
 * The typed forms that match a whole string: such a string is written double-quoted ("1.27", "yes"). The
 * date form only matches a prefix and `<<` is written plain, so those go to the full renderer.
 */
const QUOTED_1_1 = TYPED_1_1.filter(re => re.source.endsWith('$') && re.source !== '^<<$');

/**
 * How `s` is written when that is certain without the `yaml` library: as it is, double-quoted (a plain
 * form YAML 1.1 would read as a number, boolean, null or time), or undefined (ask the library). Checked
 * against the library by test/delivery/yaml-fast-path.test.ts.
 */
function knownScalar(s: string): string | undefined {
  if (!PLAIN_CANDIDATE.test(s) || s.endsWith(':') || s.includes('::')) return undefined;
  if (!TYPED_1_1.some(re => re.test(s))) return s;
  return QUOTED_1_1.some(re => re.test(s)) ? `"${s}"` : undefined;
}

/** Thrown inside the fast path when an object needs the full renderer. */
class NeedsFullRenderer extends Error {}
const FALLBACK = new NeedsFullRenderer();

/** Keys already checked: true when written as they are (a simple name that YAML 1.1 reads as a string). */
const plainKeys = new Map<string, boolean>();

function plainKey(k: string): boolean {
  let ok = plainKeys.get(k);
  if (ok === undefined) {
    ok = SIMPLE.test(k) && !RESERVED.has(k) && !EXPONENT_ONLY.test(k);
    if (plainKeys.size < MAX_CACHED) plainKeys.set(k, ok);
  }
  return ok;
}

/**
 * Renders `obj` like `render(obj)` does, faster for plain objects. `render` renders one value the slow way
 * (a document, ending with a newline); it is also asked how a string that is not obviously plain is written,
 * and the answer is cached.
 */
export function fastYamlDocument(obj: unknown, render: (value: unknown) => string, cache: Map<string, string | null>): string {
  if (!isPlainObject(obj) || Object.keys(obj).length === 0) return render(obj);
  const scalar = (s: string): string => {
    if (SIMPLE.test(s) && !RESERVED.has(s) && !EXPONENT_ONLY.test(s)) return s;
    const known = knownScalar(s);
    if (known !== undefined) return known;
    let text = cache.get(s);
    if (text === undefined) {
      const rendered = /[\n\r]/.test(s) ? null : render(s).replace(/\n$/, '');
      text = rendered === null || rendered.includes('\n') ? null : rendered;
      if (cache.size < MAX_CACHED) cache.set(s, text);
    }
    if (text === null) throw FALLBACK;
    return text;
  };
  const leaf = (v: unknown): string | undefined => {
    if (typeof v === 'string') return scalar(v);
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
      throw FALLBACK;
    }
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (v === null) return 'null';
    if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
    if (isPlainObject(v) && Object.keys(v).length === 0) return '{}';
    return undefined;
  };
  // A map's lines at `indent`, its first line starting with `first` instead (`- ` for a list item). The
  // text is built by concatenation: cheaper than collecting the lines and joining them.
  const map = (o: Record<string, unknown>, indent: string, first: string): string => {
    let out = '';
    let lead = first;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (v === undefined || !plainKey(k)) throw FALLBACK;
      const text = leaf(v);
      if (text !== undefined) {
        out += `${lead}${k}: ${text}\n`;
      } else {
        out += `${lead}${k}:\n`;
        const inner = `${indent}  `;
        if (Array.isArray(v)) out += seq(v, inner);
        else if (isPlainObject(v)) out += map(v, inner, inner);
        else throw FALLBACK;
      }
      lead = indent;
    }
    return out;
  };
  const seq = (a: unknown[], indent: string): string => {
    let out = '';
    for (const v of a) {
      if (v === undefined) throw FALLBACK;
      const text = leaf(v);
      if (text !== undefined) out += `${indent}- ${text}\n`;
      else if (isPlainObject(v)) out += map(v, `${indent}  `, `${indent}- `);
      else throw FALLBACK;
    }
    return out;
  };
  try {
    return map(obj, '', '');
  } catch (e) {
    if (e === FALLBACK) return render(obj);
    throw e;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.getPrototypeOf(v) === Object.prototype;
}
