/** Compose durations (`1m30s`, `10s`, `500ms`, `1h`) in milliseconds; undefined when not one. */
export function durationMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(text)) return undefined;
  const factor: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(part[1]) * factor[part[2]];
  return total;
}

/** Compose byte sizes (`512m`, `1g`, `1.5gb`, `2048k`, `1073741824`; binary units) in bytes; undefined when not one. */
export function sizeBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(value.trim());
  if (!m) return undefined;
  const exponent = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** exponent);
}

/** A command given as a string, split into words as a POSIX shell would (quotes, backslashes), without expansion. */
export function shellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word = (word ?? '') + text[++i];
      else word = (word ?? '') + c;
    } else if (c === '"' || c === '\'') {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

/** A string list written as a list or as one string (split into words). */
export function stringList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return shellWords(value);
  return undefined;
}

/** A DNS-1123 label made from a Compose name (`my_app.web` → `my-app-web`). */
export function dnsLabel(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '') || 'service';
}

/** A TypeScript identifier made from a Compose name (`my-app` → `myApp`). */
export function identifier(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const id = words.map((w, i) => i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1)).join('') || 'service';
  const safe = /^[0-9]/.test(id) ? `service${id}` : id;
  return RESERVED.has(safe) ? `${safe}Service` : safe;
}

const RESERVED = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends',
  'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with', 'let', 'static', 'yield', 'await', 'implements', 'interface', 'package', 'private', 'protected', 'public',
  'chart', 'Callers', 'Cpu', 'Duration', 'NetworkRules', 'PlatformChart', 'Probe', 'Protocol', 'SecretRef', 'ServiceType', 'Size', 'StatefulService',
  'WebService', 'Worker', 'undefined', 'arguments', 'eval']);
