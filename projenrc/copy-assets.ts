/**
 * Copies the files of lib/ that `tsc` does not emit into the build output: what lib/ reads at synth time (scripts,
 * YAML, JSON, chart archives) and the generated JavaScript modules with their declarations
 * (lib/workloads/private/imports/k8s.js and k8s.d.ts, see projenrc/k8s-subset.ts), and the licence files of
 * vendored code (LICENSE and NOTICE anywhere under lib/).
 */
import * as fs from 'fs';
import * as path from 'path';

const [src, dest] = process.argv.slice(2);
const EXTENSIONS = new Set(['.sh', '.yaml', '.yml', '.json', '.tpl', '.service', '.timer', '.tgz', '.py', '.js']);
/** Licence files of vendored code (lib/compose/schema: the Compose Specification's schema; lib/workloads/private/imports: cdk8s-plus-28's k8s classes; both Apache-2.0). */
const NAMES = new Set(['LICENSE', 'NOTICE']);

function copy(dir: string): number {
  let count = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      count += copy(from);
    } else if (EXTENSIONS.has(path.extname(entry.name)) || NAMES.has(entry.name) || entry.name.endsWith('.d.ts')) {
      const to = path.join(dest, path.relative(src, from));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
      count++;
    }
  }
  return count;
}

process.stdout.write(`copied ${copy(src)} asset files from ${src} to ${dest}\n`);
