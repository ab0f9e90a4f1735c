/** Copies the non-TypeScript files that lib/ reads at synth time (scripts, YAML, JSON) into the build output. */
import * as fs from 'fs';
import * as path from 'path';

const [src, dest] = process.argv.slice(2);
const EXTENSIONS = new Set(['.sh', '.yaml', '.yml', '.json', '.tpl', '.service', '.timer', '.tgz', '.py']);
/** Licence files of vendored assets (lib/compose/schema: the Compose Specification's schema, Apache-2.0). */
const NAMES = new Set(['LICENSE', 'NOTICE']);

function copy(dir: string): number {
  let count = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      count += copy(from);
    } else if (EXTENSIONS.has(path.extname(entry.name)) || NAMES.has(entry.name)) {
      const to = path.join(dest, path.relative(src, from));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
      count++;
    }
  }
  return count;
}

process.stdout.write(`copied ${copy(src)} asset files from ${src} to ${dest}\n`);
