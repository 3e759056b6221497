import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { substituteEnv } from '../../src/config/env-substitution.ts';
import { mappingJsonSchemaText } from '../../src/config/mapping-json-schema.ts';
import { MappingsInvalidError, checkMappings, loadMappingFile, loadMappings, redactMapping } from '../../src/config/mapping-loader.ts';
import { MappingError } from '../../src/errors.ts';
import { EXAMPLE_ENV, MAPPINGS_DIR, ROOT } from '../formats/outbound/examples.ts';

const GOOD = `supplier: good
name: Good Supplier
skus:
  prefixes: ["G-"]
transport:
  type: sftp
  host: \${HOST}
  port: \${PORT}
  username: hub
  password: \${PASSWORD}
  hostKey: "SHA256:${'A'.repeat(43)}"
  outboundDir: /in
  createDirs: \${CREATE_DIRS}
outbound:
  format: csv
  filename: "{poNumber}.csv"
  columns:
    PO: $po.poNumber
    Qty: quantity
`;
const ENV = { HOST: 'sftp.example', PORT: '2222', PASSWORD: 'hunter2', CREATE_DIRS: 'true' };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hub-mappings-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Loads a mapping text expected to be refused; returns its issues. */
async function refused(name: string, text: string, env: Record<string, string> = ENV) {
  const file = await write(name, text);
  const error = await loadMappingFile(file, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MappingError);
  const mappingError = error as MappingError;
  expect(mappingError.file).toBe(file);
  expect(mappingError.message.startsWith(`${file}: invalid mapping file`)).toBe(true);
  return mappingError.issues;
}

describe('loading mapping files', () => {
  it('refuses a key holding an object with a hostile "length", with its path and line', async () => {
    const issues = await refused('good.yaml', GOOD.replace('prefixes: ["G-"]', 'prefixes:\n    - length:\n        toString: 0'));
    expect(issues).toEqual([{ path: 'skus.prefixes.0', line: 5, message: 'expected text or a list, got an object with a "length"' }]);
  });

  it('loads the example mappings', async () => {
    const mappings = await loadMappings(MAPPINGS_DIR, EXAMPLE_ENV);
    expect(mappings.map((m) => m.supplier)).toEqual(['acme-toys', 'globex', 'hanse', 'initech', 'umbrella', 'wonka']);
    expect(mappings.find((m) => m.supplier === 'hanse')!.mapping.outbound).toMatchObject({ format: 'edifact-orders', edifact: { syntax: 'UNOC', receiverId: '4012345000009' } });
    const globex = mappings.find((m) => m.supplier === 'globex')!;
    expect(globex.mapping.transport).toMatchObject({ type: 'sftp', port: 2022, password: 'globex-secret-password' });
    const initech = mappings.find((m) => m.supplier === 'initech')!;
    expect(initech.catalog.get('INI-STAPLER-RED')).toEqual({ supplierSku: 'SW-200-R', cost: '4.10' });
    expect(initech.catalog.get('INI-MUG-01')).toEqual({ supplierSku: 'MUG-INI-01' });
    expect(initech.expressions.columns.map((c) => c.header)).toContain('Unit Cost');
  });

  it('substitutes ${NAME}, coercing numbers and booleans where the schema wants them', async () => {
    const loaded = await loadMappingFile(await write('good.yaml', GOOD), ENV);
    expect(loaded.mapping.transport).toMatchObject({ host: 'sftp.example', port: 2222, createDirs: true, password: 'hunter2' });
    expect(loaded.mapping.inbound.schedule).toBe('*/5 * * * *');
  });

  it('keeps numeric-looking secrets as strings', async () => {
    const loaded = await loadMappingFile(await write('good.yaml', GOOD), { ...ENV, PASSWORD: '12345' });
    expect(loaded.mapping.transport).toMatchObject({ password: '12345' });
  });

  it('redacts secrets for logging', async () => {
    const loaded = await loadMappingFile(await write('good.yaml', GOOD), ENV);
    const redacted = redactMapping(loaded.mapping);
    expect(redacted.transport).toMatchObject({ password: '***', host: 'sftp.example' });
    expect(JSON.stringify(redacted)).not.toContain('hunter2');
    const umbrella = redactMapping((await loadMappings(MAPPINGS_DIR, EXAMPLE_ENV)).find((m) => m.supplier === 'umbrella')!.mapping);
    expect(JSON.stringify(umbrella)).not.toMatch(/umbrella-bearer-token|umbrella-inbound-token/);
  });
});

describe('refusing bad mapping files, with file, key path, line and reason', () => {
  it('a typo in a key', async () => {
    const issues = await refused('good.yaml', GOOD.replace('  host:', '  hots:'));
    expect(issues).toContainEqual({ path: 'transport.hots', message: 'unknown key "hots" (did you mean "host"?)', line: 7 });
  });

  it('a value of the wrong type', async () => {
    const issues = await refused('good.yaml', GOOD.replace('${PORT}', 'twenty-two'));
    expect(issues).toEqual([{ path: 'transport.port', message: 'must be a number, not "twenty-two"', line: 8 }]);
    const fromEnv = await refused('good.yaml', GOOD, { ...ENV, PORT: 'abc' });
    expect(fromEnv[0]).toMatchObject({ path: 'transport.port', line: 8 });
  });

  it('a bad JSONata expression', async () => {
    const issues = await refused('good.yaml', GOOD.replace('Qty: quantity', 'Qty: "quantity +"'));
    expect(issues).toEqual([{ path: 'outbound.columns.Qty', message: expect.stringMatching(/^invalid JSONata/), line: 19 }]);
  });

  it('a missing environment variable, named', async () => {
    const issues = await refused('good.yaml', GOOD, { PORT: '22', CREATE_DIRS: 'false' });
    expect(issues).toEqual([
      { path: 'transport.host', message: 'environment variable HOST is not set', line: 7 },
      { path: 'transport.password', message: 'environment variable PASSWORD is not set', line: 10 },
    ]);
  });

  it('a supplier that does not match the file name', async () => {
    const issues = await refused('other.yaml', GOOD);
    expect(issues).toEqual([{ path: 'supplier', message: '"good" must match the file name ("other")', line: 1 }]);
  });

  it('YAML syntax errors and duplicate keys, with their line', async () => {
    const issues = await refused('good.yaml', `${GOOD}name: Again\n`);
    expect(issues[0]).toMatchObject({ path: '', line: 20 });
    expect(issues[0]!.message).toBe('YAML: the key "name" appears a second time at the same level; keep one of them');
    expect((await refused('good.yaml', 'supplier: [unclosed\n'))[0]!.message).toMatch(/^YAML: /);
  });

  it('format-specific requirements, filename placeholders and override keys', async () => {
    const issues = await refused(
      'good.yaml',
      GOOD.replace('  format: csv', '  format: x12-850').replace('{poNumber}.csv', '{ponumber}.edi') + '  overrides:\n    "XYZ.01": "1"\n',
    );
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['outbound.overrides.XYZ.01']));
    const second = await refused('good.yaml', GOOD.replace('  format: csv', '  format: x12-850').replace('{poNumber}.csv', '{ponumber}.edi'));
    expect(second).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'outbound.filename', message: expect.stringMatching(/unknown placeholder \{ponumber\}/) }),
        expect.objectContaining({ path: 'outbound.x12', message: expect.stringMatching(/^required/) }),
      ]),
    );
  });

  it('a bad catalog', async () => {
    const text = GOOD.replace('  prefixes: ["G-"]', '  catalog: good.catalog.csv');
    expect((await refused('good.yaml', text))[0]).toMatchObject({ path: 'skus.catalog', message: expect.stringMatching(/cannot read catalog/), line: 4 });
    await write('good.catalog.csv', 'sku,supplierSku,cost\nA,X,1.00\nA,Y,2\nB,,3\nC,Z,abc\n');
    const issues = await refused('good.yaml', text);
    expect(issues.map((i) => i.message)).toEqual([
      'catalog good.catalog.csv line 3: sku "A" is listed twice (first on line 2)',
      'catalog good.catalog.csv line 4: sku and supplierSku must not be empty',
      'catalog good.catalog.csv line 5: cost "abc" must be a decimal such as 12.50',
    ]);
    expect((await refused('good.yaml', text.replace('good.catalog.csv', '../x.csv')))[0]!.message).toMatch(/relative to the mapping's directory/);
  });

  it('checkMappings reports every bad file; loadMappings throws them all at once', async () => {
    const sub = path.join(dir, 'set');
    await mkdir(sub, { recursive: true });
    await writeFile(path.join(sub, 'good.yaml'), GOOD);
    await writeFile(path.join(sub, 'bad-one.yml'), GOOD.replace('supplier: good', 'supplier: bad-one').replace('  host:', '  hots:'));
    await writeFile(path.join(sub, 'bad-two.yaml'), GOOD.replace('supplier: good', 'supplier: bad-two').replace('Qty: quantity', 'Qty: "("'));
    await writeFile(path.join(sub, 'notes.txt'), 'ignored');
    const { mappings, errors } = await checkMappings(sub, ENV);
    expect(mappings.map((m) => m.supplier)).toEqual(['good']);
    expect(errors.map((e) => path.basename(e.file))).toEqual(['bad-one.yml', 'bad-two.yaml']);
    const thrown = await loadMappings(sub, ENV).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(MappingsInvalidError);
    expect((thrown as MappingsInvalidError).errors).toHaveLength(2);
    expect((thrown as Error).message).toMatch(/bad-one\.yml[\s\S]*transport\.hots[\s\S]*bad-two\.yaml[\s\S]*outbound\.columns\.Qty/);
    expect((await checkMappings(path.join(dir, 'missing'), ENV)).errors[0]!.message).toMatch(/cannot read the mappings directory/);
  });
});

describe('inbound.schedule: refused here exactly as `hub serve` would refuse it', () => {
  it('a cron with too few fields, with its line and a hint', async () => {
    const issues = await refused('good.yaml', `${GOOD}inbound:\n  schedule: "*/5 *"\n`);
    expect(issues).toEqual([
      {
        path: 'inbound.schedule',
        line: 21,
        message: '"*/5 *" is not a cron schedule: expected 5 or 6 fields but got 2 (write minute hour day-of-month month day-of-week, e.g. "*/5 * * * *" for every five minutes)',
      },
    ]);
  });

  it('a field out of range, and a good one with seconds', async () => {
    const issues = await refused('good.yaml', `${GOOD}inbound:\n  schedule: "61 * * * *"\n`);
    expect(issues[0]!.message).toContain('61 is not a valid minute');
    await write('good.yaml', `${GOOD}inbound:\n  schedule: "*/30 * * * * *"\n`);
    expect((await loadMappingFile(path.join(dir, 'good.yaml'), ENV)).mapping.inbound.schedule).toBe('*/30 * * * * *');
  });
});

describe('structure only (offline): variables not set are listed, not errors', () => {
  it('passes a file whose only gaps are variables, and names them once each', async () => {
    const sub = path.join(dir, 'offline');
    await mkdir(sub, { recursive: true });
    await writeFile(path.join(sub, 'good.yaml'), GOOD);
    await writeFile(path.join(sub, 'other.yaml'), GOOD.replace('supplier: good', 'supplier: other').replace('${HOST}', '${OTHER_HOST}'));
    const online = await checkMappings(sub, { CREATE_DIRS: 'true' });
    expect(online.errors).toHaveLength(2);
    expect(online.missingEnv).toEqual(['HOST', 'OTHER_HOST', 'PASSWORD', 'PORT']);
    const offline = await checkMappings(sub, { CREATE_DIRS: 'true' }, { offline: true });
    expect(offline.errors).toEqual([]);
    expect(offline.mappings).toEqual([]);
    expect(offline.structureOnly).toEqual([
      expect.objectContaining({ supplier: 'good', format: 'csv', transport: 'sftp', missingEnv: ['HOST', 'PASSWORD', 'PORT'] }),
      expect.objectContaining({ supplier: 'other', format: 'csv', transport: 'sftp', missingEnv: ['OTHER_HOST', 'PASSWORD', 'PORT'] }),
    ]);
    expect(offline.missingEnv).toEqual(['HOST', 'OTHER_HOST', 'PASSWORD', 'PORT']);
  });

  it('still refuses everything else: typos, bad expressions, bad values written in the file', async () => {
    const sub = path.join(dir, 'offline-bad');
    await mkdir(sub, { recursive: true });
    await writeFile(path.join(sub, 'good.yaml'), GOOD.replace('  username:', '  usename:').replace('Qty: quantity', 'Qty: "("').replace('/in', ''));
    const { errors, structureOnly } = await checkMappings(sub, {}, { offline: true });
    expect(structureOnly).toEqual([]);
    expect(errors[0]!.issues.map((i) => i.path).sort()).toEqual(['transport.outboundDir', 'transport.usename', 'transport.username']);
    const expressions = path.join(dir, 'offline-expr');
    await mkdir(expressions, { recursive: true });
    await writeFile(path.join(expressions, 'good.yaml'), GOOD.replace('Qty: quantity', 'Qty: "("'));
    expect((await checkMappings(expressions, {}, { offline: true })).errors[0]!.issues).toEqual([expect.objectContaining({ path: 'outbound.columns.Qty' })]);
  });

  it('passes the example mappings with an empty environment', async () => {
    const { errors, structureOnly, missingEnv } = await checkMappings(MAPPINGS_DIR, {}, { offline: true });
    expect(errors).toEqual([]);
    expect(structureOnly.length).toBeGreaterThanOrEqual(5);
    expect(missingEnv).toEqual(Object.keys(EXAMPLE_ENV).sort());
  });
});

describe('messages people understand', () => {
  it('no library jargon in what zod finds wrong', async () => {
    const issues = await refused(
      'good.yaml',
      GOOD.replace('name: Good Supplier', 'name: 3').replace('  type: sftp', '  type: ftp').replace('  format: csv', '  format: pdf'),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'name', message: 'must be text, not 3', line: 2 },
        { path: 'transport.type', message: 'must be one of "sftp", "http", "as2", "mailbox", not "ftp"', line: 6 },
        { path: 'outbound.format', message: 'must be one of "x12-850", "xml", "csv", "json", "edifact-orders", not "pdf"', line: 15 },
      ]),
    );
    // An inbound rule's format comes from the format registry: named in plain words too.
    const rule = await refused('good.yaml', `${GOOD}inbound:\n  files:\n    - match: "*.x"\n      format: edi\n`);
    expect(rule).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'inbound.files.0.format', message: expect.stringMatching(/^must be one of "x12", "csv", "xml", "json", "edifact", not "edi"/) })]));
    expect(rule).toHaveLength(1);
    const missing = await refused('good.yaml', 'supplier: good\n');
    expect(missing).toContainEqual({ path: 'name', message: 'required (text)', line: 1 });
    expect(missing).toContainEqual({ path: 'transport', message: 'required (a group of keys)', line: 1 });
    for (const issue of [...issues, ...missing]) expect(issue.message).not.toMatch(/Invalid|received|expected \w+, |discriminator|>=|<=/);
  });

  it('YAML slips at the line where they are, with a hint', async () => {
    const yaml = async (text: string) => (await refused('good.yaml', text))[0]!;
    expect(await yaml('supplier: good\ntransport:\n  type: sftp\n   host: a\n')).toEqual({
      path: '',
      line: 4,
      message: 'YAML: this line is indented deeper than the key above it (line 3); line it up with its neighbours',
    });
    expect(await yaml('supplier: good\nname: "Good\nskus: 1\n')).toMatchObject({ line: 2, message: expect.stringMatching(/never closed; add the closing quote/) });
    expect(await yaml('supplier: good\noutbound:\n  filename: a: b\n')).toMatchObject({ line: 3, message: expect.stringMatching(/put the value in quotes/) });
    expect(await yaml('supplier: good\nname: *star\n')).toMatchObject({ line: 2, message: expect.stringMatching(/put the value in quotes \("\*star"\)/) });
    expect(await yaml('supplier: good\nskus:\n\tprefixes: [a]\n')).toMatchObject({ line: 3, message: 'YAML: a tab indents this line; YAML indents with spaces only' });
  });
});

describe('${NAME} substitution', () => {
  it('replaces inside strings, keeps $${ literal, never touches keys', () => {
    const result = substituteEnv({ a: 'x-${A}-${B}', '${A}': 'k', b: ['$${A}', 1, null] }, { A: '1', B: '2' });
    expect(result.value).toEqual({ a: 'x-1-2', '${A}': 'k', b: ['${A}', 1, null] });
    expect(result.issues).toEqual([]);
    expect(substituteEnv({ a: '${bad-name}' }, {}).issues[0]!.message).toMatch(/not a valid environment reference/);
  });
});

describe('the JSON Schema of mapping files', () => {
  it('is up to date (regenerate: npx tsx src/config/mapping-json-schema.ts > schemas/mapping.schema.json)', () => {
    expect(readFileSync(path.join(ROOT, 'schemas/mapping.schema.json'), 'utf8')).toBe(mappingJsonSchemaText());
  });
});
