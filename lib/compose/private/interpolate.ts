/** A variable that is unset (or empty) where the Compose file requires it. */
export class InterpolationIssue {
  constructor(public readonly message: string) {}
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;
type Operator = typeof OPERATORS[number];

/**
 * Compose interpolation of one string: `$$` (a literal `$`), `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alternative}`, `${VAR+alternative}`; defaults may
 * hold variables themselves. Returns the text, or an InterpolationIssue naming the variable (never its value).
 */
export function interpolate(text: string, env: Readonly<Record<string, string>>): string | InterpolationIssue {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) return out + text.slice(i);
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const end = closingBrace(text, dollar + 2);
      if (end < 0) return new InterpolationIssue(`has an unterminated "\${" at character ${dollar + 1}: close it with "}", or write "$$" for a literal "$".`);
      const value = expand(text.slice(dollar + 2, end), env);
      if (value instanceof InterpolationIssue) return value;
      out += value;
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (!name) {
        out += '$';
        i = dollar + 1;
        continue;
      }
      const value = expand(name, env);
      if (value instanceof InterpolationIssue) return value;
      out += value;
      i = dollar + 1 + name.length;
    }
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `start`, or -1. */
function closingBrace(text: string, start: number): number {
  let depth = 1;
  for (let j = start; j < text.length; j++) {
    if (text[j] === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (text[j] === '}' && --depth === 0) {
      return j;
    }
  }
  return -1;
}

/** The value of a `${...}` body. */
function expand(body: string, env: Readonly<Record<string, string>>): string | InterpolationIssue {
  const name = NAME.exec(body)?.[0];
  if (!name) return new InterpolationIssue(`has "\${${body}}", which does not start with a variable name (letters, digits, "_").`);
  const rest = body.slice(name.length);
  const value = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
  if (rest === '') {
    return value ?? new InterpolationIssue(`uses \${${name}}, which is not set: set ${name} in the environment or the .env file, or give a default (\${${name}:-value}).`);
  }
  const op = OPERATORS.find(o => rest.startsWith(o)) as Operator | undefined;
  if (!op) return new InterpolationIssue(`has "\${${body}}": after the name only :-, -, :?, ?, :+ or + may follow.`);
  const arg = () => interpolate(rest.slice(op.length), env);
  const empty = value === undefined || (op.startsWith(':') && value === '');
  switch (op) {
    case ':-': case '-': return empty ? arg() : value!;
    case ':+': case '+': return empty ? '' : arg();
    default: {
      if (!empty) return value!;
      const message = arg();
      const why = message instanceof InterpolationIssue || message === '' ? 'it is required' : message;
      return new InterpolationIssue(`requires ${name}${op === ':?' ? ' to be set and not empty' : ' to be set'} (${why}): set it in the environment or the .env file.`);
    }
  }
}

/**
 * A `.env` file as docker compose reads it: `KEY=value` lines, `#` comments, optional `export `, values in
 * single quotes (literal) or double quotes (with \n escapes). Returns the variables and the line of each.
 */
export function parseDotEnv(text: string): { values: Record<string, string>; lines: Record<string, number>; invalid: number[] } {
  const values: Record<string, string> = {};
  const lines: Record<string, number> = {};
  const invalid: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(line)) return; // a bare name: "take it from the environment"
      invalid.push(index + 1);
      return;
    }
    values[m[1]] = unquote(m[2]);
    lines[m[1]] = index + 1;
  });
  return { values, lines, invalid };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === '\'') && value.length >= 2) {
    const end = value.indexOf(quote, 1);
    const inner = value.slice(1, end < 0 ? undefined : end);
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner;
  }
  return value.replace(/\s+#.*$/, '').trim();
}
