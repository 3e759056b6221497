import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root folder (the nearest one above the module holding a package.json), from a
 * module's own URL: the same whether the module runs from src/ through tsx or from its build in
 * dist/src/ (`npm run build`), where `../..` would land in dist/.
 *
 * @example
 * const MAPPINGS_DIR = path.join(packageRoot(import.meta.url), 'mappings');
 */
export function packageRoot(moduleUrl: string): string {
  const file = fileURLToPath(moduleUrl);
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json in any folder above ${file}`);
  }
}
