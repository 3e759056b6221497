import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('packageRoot', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'package-root-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('finds the project from a source module and from its build in dist/src/', () => {
    expect(packageRoot(pathToFileURL(path.join(ROOT, 'src/demo/demo.ts')).href)).toBe(ROOT);
    writeFileSync(path.join(tmp, 'package.json'), '{}');
    mkdirSync(path.join(tmp, 'dist/src/demo'), { recursive: true });
    expect(packageRoot(pathToFileURL(path.join(tmp, 'dist/src/demo/demo.js')).href)).toBe(tmp);
  });

  it('says so when no folder above holds a package.json', () => {
    expect(() => packageRoot('file:///no-such-folder/src/demo.js')).toThrow(/no package\.json in any folder above/);
  });
});
