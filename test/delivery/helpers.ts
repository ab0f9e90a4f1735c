import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

const outdirs: string[] = [];

/**
 * A fresh cloud assembly directory under the OS temp directory, removed after the test file (staged assets
 * such as the 37 MB kubectl layer would otherwise pile up).
 */
export function tmpOutdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-k8s-platform-test-'));
  outdirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of outdirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A tiny stand-in for Helm's template engine, enough for our charts: text is copied, and an action may only
 * print a string literal (`{{ "{{" }}`). Any other action fails, so a test notices an unescaped `{{`.
 */
export function renderHelmTemplate(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('{{', i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const m = /^\{\{ *("(?:[^"\\]|\\.)*") *\}\}/.exec(text.slice(start));
    if (!m) throw new Error(`unsupported or unescaped template action at offset ${start}: ${JSON.stringify(text.slice(start, start + 40))}`);
    out += JSON.parse(m[1]) as string;
    i = start + m[0].length;
  }
  return out;
}

/** Splits rendered YAML into documents (as Helm does on `---` lines) and parses them. */
export function parseDocuments(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map(d => d.toJS()).filter(d => d !== null);
}

/** Reads every file under `dir` (relative path → content). */
export function readTree(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory()) readTree(path.join(dir, e.name), `${prefix}${e.name}/`).forEach((v, k) => out.set(k, v));
    else out.set(`${prefix}${e.name}`, fs.readFileSync(path.join(dir, e.name), 'utf-8'));
  }
  return out;
}
