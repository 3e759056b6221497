/**
 * Loads supplier mapping files (`mappings/<supplier>.yaml`): YAML → `${ENV}` substitution → zod
 * validation → JSONata compilation → catalog CSV. Every problem of every file is collected and
 * reported with its file, key path, line and reason, so that an integrator fixes a file in one go
 * and the hub refuses to start on a bad one.
 *
 * @example
 *   const { mappings, errors } = await checkMappings('./mappings');      // `hub mappings check`
 *   const mappings = await loadMappings(process.env.HUB_MAPPINGS_DIR);   // boot: throws MappingsInvalidError
 */
import { safeParseInput } from '../canonical/safe-parse.ts';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { HubError, MappingError, errorMessage, type FieldIssue } from '../errors.ts';
import { substituteEnv, type KeyPath } from './env-substitution.ts';
import { ExpressionSyntaxError, compileExpression, type CompiledExpression } from './expression.ts';
import { Mapping, OVERRIDE_KEY } from './mapping-schema.ts';
import { describeYamlError, unresolvedAlias } from './yaml-errors.ts';
import { describeIssue, loadCatalog as readCatalogFile, type CatalogEntry } from '../routing/sources.ts';

export type Env = Record<string, string | undefined>;

/** A catalog row as the mapping keeps it: supplier SKU, and cost, priority, minQty, leadTimeDays where given. */
export type { CatalogEntry };

/** One `outbound.overrides` entry, parsed: `N1*ST.02` → segment N1, qualifier ST, element 2. */
export interface CompiledOverride {
  key: string;
  segment: string;
  qualifier?: string;
  element: number;
  expression: CompiledExpression;
}

export interface CompiledExpressions {
  poNumber?: CompiledExpression;
  template?: CompiledExpression;
  cancelTemplate?: CompiledExpression;
  /** csv: in the file's order. */
  columns: { header: string; expression: CompiledExpression }[];
  overrides: CompiledOverride[];
}

/** A mapping file, validated and ready to use. */
export interface LoadedMapping {
  supplier: string;
  mapping: Mapping;
  /** Absolute path of the mapping file. */
  file: string;
  /** The directory holding it (catalogs are resolved against it). */
  dir: string;
  /** Retailer SKU → supplier SKU (and cost, priority, minQty, leadTimeDays), from `skus.catalog`; empty without one. */
  catalog: Map<string, CatalogEntry>;
  expressions: CompiledExpressions;
}

/** Several mapping files are bad: one error carrying each file's MappingError. */
export class MappingsInvalidError extends HubError {
  readonly errors: MappingError[];
  constructor(errors: MappingError[]) {
    super(
      'mapping_invalid',
      `${errors.length} mapping file${errors.length === 1 ? ' is' : 's are'} invalid:\n${errors.map((e) => e.message).join('\n')}`,
      { details: { files: errors.map((e) => e.details) } },
    );
    this.errors = errors;
  }
}

const MAPPING_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * Files in the mappings directory that are not supplier mappings: the routing policy
 * (src/routing/policy-loader.ts). No supplier can be called `routing`.
 */
export const NOT_MAPPINGS: ReadonlySet<string> = new Set(['routing.yaml', 'routing.yml']);

/** Loads one mapping file; throws a MappingError listing every problem in it. */
export async function loadMappingFile(file: string, env: Env = process.env): Promise<LoadedMapping> {
  const result = await readMappingFile(path.resolve(file), env);
  if (result instanceof MappingError) throw result;
  if (!('mapping' in result)) throw new MappingError(result.file, [{ path: '', message: 'checked for structure only' }]); // only with `offline`
  return result;
}

/**
 * The mapping of one supplier in `dir` (`<supplier>.yaml` or `.yml`). An unknown supplier is a
 * HubError `not_found` that lists the suppliers the directory does define.
 *
 * @example
 *   await loadSupplierMapping('./mappings', 'acme')  // HubError: unknown supplier "acme"; the suppliers in ./mappings are acme-toys, globex
 */
export async function loadSupplierMapping(dir: string, supplier: string, env: Env = process.env): Promise<LoadedMapping> {
  let names: string[] = [];
  try {
    names = (await readdir(path.resolve(dir), { withFileTypes: true }))
      .filter((entry) => entry.isFile() && MAPPING_EXTENSIONS.has(path.extname(entry.name)) && !NOT_MAPPINGS.has(entry.name))
      .map((entry) => entry.name);
  } catch (error) {
    throw new HubError('config_invalid', `cannot read the mappings directory ${dir}: ${errorMessage(error)}`, { cause: error });
  }
  const name = names.find((n) => n.replace(/\.ya?ml$/, '') === supplier);
  if (!name) {
    const known = [...new Set(names.map((n) => n.replace(/\.ya?ml$/, '')))].sort();
    throw new HubError(
      'not_found',
      known.length
        ? `unknown supplier "${supplier}"; the suppliers in ${dir} are ${known.join(', ')}`
        : `unknown supplier "${supplier}": ${dir} holds no mapping files`,
    );
  }
  return loadMappingFile(path.join(dir, name), env);
}

/**
 * A mapping file checked with `offline` while some of its `${NAME}` variables are not set: its
 * structure (keys, types, expressions, catalog) is valid, but it cannot be used until they are.
 */
export interface StructureOnlyMapping {
  supplier: string;
  file: string;
  /** `outbound.format` and `transport.type`, as written. */
  format: string;
  transport: string;
  /** The variables this file names that are not set. */
  missingEnv: string[];
}

export interface MappingCheck {
  mappings: LoadedMapping[];
  errors: MappingError[];
  /** Only with `offline`: the files whose structure is valid but which need variables not set. */
  structureOnly: StructureOnlyMapping[];
  /** Every environment variable named by a file but not set, once each, sorted. */
  missingEnv: string[];
}

export interface CheckOptions {
  /**
   * Structure only (`hub mappings check --offline`): a `${NAME}` that is not set is not an error,
   * and the value it would give is not checked; everything else is.
   */
  offline?: boolean;
}

/**
 * Loads every `*.yaml` / `*.yml` in `dir` and reports the bad ones without stopping at the first.
 * A directory that cannot be read is itself an error.
 */
export async function checkMappings(dir: string, env: Env = process.env, options: CheckOptions = {}): Promise<MappingCheck> {
  const root = path.resolve(dir);
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && MAPPING_EXTENSIONS.has(path.extname(entry.name)) && !NOT_MAPPINGS.has(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    return {
      mappings: [],
      errors: [new MappingError(root, [{ path: '', message: `cannot read the mappings directory: ${errorMessage(error)}` }], { cause: error })],
      structureOnly: [],
      missingEnv: [],
    };
  }
  const missing = new Set<string>();
  const results = await Promise.all(names.map((name) => readMappingFile(path.join(root, name), env, { ...options, missingEnv: missing })));
  const mappings: LoadedMapping[] = [];
  const errors: MappingError[] = [];
  const structureOnly: StructureOnlyMapping[] = [];
  const bySupplier = new Map<string, string>();
  for (const result of results) {
    if (result instanceof MappingError) {
      errors.push(result);
      continue;
    }
    const other = bySupplier.get(result.supplier);
    if (other) {
      errors.push(new MappingError(result.file, [{ path: 'supplier', message: `supplier "${result.supplier}" is already defined by ${other}` }]));
      continue;
    }
    bySupplier.set(result.supplier, result.file);
    if ('missingEnv' in result) structureOnly.push(result);
    else mappings.push(result);
  }
  return { mappings, errors, structureOnly, missingEnv: [...missing].sort() };
}

/** Loads every mapping file in `dir`; throws MappingsInvalidError (all files' errors) if any is bad. */
export async function loadMappings(dir: string, env: Env = process.env): Promise<LoadedMapping[]> {
  const { mappings, errors } = await checkMappings(dir, env);
  if (errors.length) throw new MappingsInvalidError(errors);
  return mappings;
}

/** One problem in a file: key path, line (where known) and why. */
export type Issue = FieldIssue & { line?: number };

async function readMappingFile(
  file: string,
  env: Env,
  options: CheckOptions & { missingEnv?: Set<string> } = {},
): Promise<LoadedMapping | StructureOnlyMapping | MappingError> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    return new MappingError(file, [{ path: '', message: `cannot read the file: ${errorMessage(error)}` }], { cause: error });
  }
  const fileMissing = new Set<string>();
  const parsed = parseMappingSource(source, file, env, { offline: options.offline === true, missingEnv: fileMissing });
  for (const name of fileMissing) options.missingEnv?.add(name);
  if (parsed instanceof MappingError) return parsed;
  const { doc, lineCounter } = parsed;
  const lineAt = (keyPath: KeyPath) => lineOf(doc, lineCounter, keyPath);
  const issues: Issue[] = [];

  // Structure only: the expressions and the catalog do not depend on the environment; check them
  // on the file as written.
  const mapping = 'structureOnly' in parsed ? (parsed.raw as Mapping) : parsed.mapping;
  const dir = path.dirname(file);
  const expressions = compileAll(mapping, lineAt, issues);
  const catalog = typeof mapping.skus?.catalog === 'string'
    ? await loadCatalog(dir, mapping.skus.catalog, lineAt(['skus', 'catalog']), issues)
    : new Map<string, CatalogEntry>();

  if (issues.length) return new MappingError(file, issues);
  if ('structureOnly' in parsed) {
    return { supplier: mapping.supplier, file, format: String(mapping.outbound?.format), transport: String(mapping.transport?.type), missingEnv: [...fileMissing].sort() };
  }
  return { supplier: mapping.supplier, mapping, file, dir, catalog, expressions };
}

/**
 * The YAML → validated Mapping part, without file access (tests and `hub mappings check` of a
 * single text use it). Returns a MappingError listing every problem; with `offline`, a file whose
 * only gaps are variables not set comes back as its raw structure (`structureOnly`).
 */
export function parseMappingSource(
  source: string,
  file: string,
  env?: Env,
  options?: { offline?: false; missingEnv?: Set<string> },
): { mapping: Mapping; doc: Document; lineCounter: LineCounter } | MappingError;
export function parseMappingSource(
  source: string,
  file: string,
  env: Env,
  options: { offline: boolean; missingEnv?: Set<string> },
): { mapping: Mapping; doc: Document; lineCounter: LineCounter } | StructureOnlyYaml | MappingError;
export function parseMappingSource(
  source: string,
  file: string,
  env: Env = process.env,
  options: { offline?: boolean; missingEnv?: Set<string> } = {},
): { mapping: Mapping; doc: Document; lineCounter: LineCounter } | StructureOnlyYaml | MappingError {
  const parsed = parseYamlConfig(source, file, Mapping, env, {
    offline: options.offline === true,
    ...(options.missingEnv ? { missingEnv: options.missingEnv } : {}),
    // The file name rule is checked whatever else is wrong, so that every problem shows at once.
    check(value, lineAt) {
      const expected = path.basename(file).replace(/\.ya?ml$/, '');
      const supplier = (value as { supplier?: unknown } | null)?.supplier;
      if (typeof supplier === 'string' && supplier !== expected) {
        return [{ path: 'supplier', message: `"${supplier}" must match the file name ("${expected}")`, line: lineAt(['supplier']) }];
      }
      return [];
    },
  });
  if (parsed instanceof MappingError || 'structureOnly' in parsed) return parsed;
  return { mapping: parsed.value, doc: parsed.doc, lineCounter: parsed.lineCounter };
}

/** `offline` and some variables not set: the file's structure is valid; `raw` is it as written (not a validated value). */
export interface StructureOnlyYaml {
  structureOnly: true;
  raw: unknown;
  doc: Document;
  lineCounter: LineCounter;
}

export interface YamlConfigOptions {
  /** What the file is, for the error's first line ("invalid routing policy"). Default: mapping file. */
  what?: string;
  /** Checks of the whole (substituted) value, run whatever else is wrong. */
  check?(value: unknown, lineAt: (keyPath: KeyPath) => number | undefined): Issue[];
  /** Structure only: a variable that is not set is no error, and the value it would give is not checked. */
  offline?: boolean;
  /** Collects the names of the variables the file names but `env` does not set. */
  missingEnv?: Set<string>;
}

/**
 * A YAML configuration file → a value of `schema`: YAML syntax (with lines), `${NAME}` substitution,
 * the numbers and booleans written as `${NAME}`, zod validation with every issue at its key path and
 * line, unknown keys with a "did you mean". Shared by mapping files and `routing.yaml`; a
 * MappingError lists every problem.
 */
export function parseYamlConfig<S extends z.ZodType>(
  source: string,
  file: string,
  schema: S,
  env?: Env,
  options?: YamlConfigOptions & { offline?: false },
): { value: z.output<S>; doc: Document; lineCounter: LineCounter } | MappingError;
export function parseYamlConfig<S extends z.ZodType>(
  source: string,
  file: string,
  schema: S,
  env: Env,
  options: YamlConfigOptions,
): { value: z.output<S>; doc: Document; lineCounter: LineCounter } | StructureOnlyYaml | MappingError;
export function parseYamlConfig<S extends z.ZodType>(
  source: string,
  file: string,
  schema: S,
  env: Env = process.env,
  options: YamlConfigOptions = {},
): { value: z.output<S>; doc: Document; lineCounter: LineCounter } | StructureOnlyYaml | MappingError {
  const fail = (issues: Issue[]) => new MappingError(file, issues, options.what === undefined ? {} : { what: options.what });
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    // One problem a line: the parser often reports one slip twice.
    const problems = doc.errors.map((e) => describeYamlError(e, lineCounter, source));
    const unique = problems.filter((p, i) => problems.findIndex((q) => q.line === p.line) === i);
    return fail(unique.map((p) => ({ path: '', message: p.message, ...(p.line === undefined ? {} : { line: p.line }) })));
  }
  const lineAt = (keyPath: KeyPath) => lineOf(doc, lineCounter, keyPath);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    const alias = unresolvedAlias(doc, lineCounter);
    return fail([alias ? { path: '', ...alias } : { path: '', message: `YAML: ${errorMessage(error)}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail([{ path: '', message: 'the file must be a YAML mapping (key: value) at the top level', line: 1 }]);
  }

  const issues: Issue[] = [];
  const substituted = substituteEnv(raw, env);
  const badPaths = new Set<string>();
  let offlineGaps = 0;
  for (const issue of substituted.issues) {
    const key = issue.path.join('.');
    badPaths.add(key);
    if (issue.missing !== undefined) options.missingEnv?.add(issue.missing);
    if (issue.missing !== undefined && options.offline) {
      offlineGaps++;
      continue;
    }
    issues.push({ path: key, message: issue.message, line: lineAt(issue.path) });
  }

  // Numbers and booleans written as `${NAME}` arrive as strings: coerce exactly those the schema
  // wants as numbers/booleans, then validate again.
  let value = substituted.value;
  let result = safeParseInput(schema, value);
  for (let round = 0; round < 3 && !result.success; round++) {
    const coerced = coerceScalars(value, result.error.issues, substituted.wholeValuePaths);
    if (coerced === undefined) break;
    value = coerced;
    result = safeParseInput(schema, value);
  }

  if (options.check) issues.push(...options.check(value, lineAt));

  if (!result.success) {
    for (const issue of result.error.issues) {
      const keyPath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const joined = keyPath.join('.');
      if (badPaths.has(joined)) continue; // already reported: the variable is missing
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeys(keyPath, schema);
        for (const key of issue.keys) {
          const suggestion = closest(key, known);
          issues.push({
            path: [...keyPath, key].join('.'),
            message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
            line: lineAt([...keyPath, key]),
          });
        }
      } else {
        issues.push({ path: joined, message: issue.message, line: lineAt(keyPath) });
      }
    }
    if (issues.length === 0 && offlineGaps > 0) return { structureOnly: true, raw: value, doc, lineCounter };
    return fail(issues);
  }

  const parsed = result.data;
  for (const keyPath of ENVIRONMENT_ONLY) {
    const found = keyPath.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], parsed);
    if (found !== undefined && !substituted.wholeValuePaths.has(keyPath.join('.'))) {
      issues.push({ path: keyPath.join('.'), message: 'give it through an environment variable (`${NAME}`), not in the file', line: lineAt(keyPath) });
    }
  }
  if (issues.length) return fail(issues);
  if (offlineGaps > 0) return { structureOnly: true, raw: value, doc, lineCounter };
  return { value: parsed, doc, lineCounter };
}

/** Keys whose value must come whole from the environment, never be written in the file. */
const ENVIRONMENT_ONLY: KeyPath[] = [['transport', 'passwordHash']];

function coerceScalars(
  value: unknown,
  issues: readonly z.core.$ZodIssue[],
  wholeValuePaths: Set<string>,
): unknown | undefined {
  let changed = false;
  const copy = structuredClone(value);
  for (const issue of issues) {
    if (issue.code !== 'invalid_type' || (issue.expected !== 'number' && issue.expected !== 'boolean')) continue;
    const keyPath = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (!wholeValuePaths.has(keyPath.join('.')) || keyPath.length === 0) continue;
    const parent = keyPath.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)?.[key], copy);
    const last = keyPath[keyPath.length - 1]!;
    if (parent === null || typeof parent !== 'object') continue;
    const current = (parent as Record<string | number, unknown>)[last];
    if (typeof current !== 'string') continue;
    let next: unknown;
    if (issue.expected === 'number' && /^-?\d+(\.\d+)?$/.test(current.trim())) next = Number(current.trim());
    if (issue.expected === 'boolean' && /^(true|false)$/i.test(current.trim())) next = current.trim().toLowerCase() === 'true';
    if (next === undefined) continue;
    (parent as Record<string | number, unknown>)[last] = next;
    changed = true;
  }
  return changed ? copy : undefined;
}

function compileAll(mapping: Mapping, lineAt: (p: KeyPath) => number | undefined, issues: Issue[]): CompiledExpressions {
  const compile = (keyPath: KeyPath, source: string): CompiledExpression | undefined => {
    try {
      return compileExpression(keyPath.join('.'), source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      issues.push({ path: error.path, message: error.message, line: lineAt(keyPath) });
      return undefined;
    }
  };
  const outbound = mapping.outbound;
  const expressions: CompiledExpressions = { columns: [], overrides: [] };
  if (outbound.poNumber) expressions.poNumber = compile(['outbound', 'poNumber'], outbound.poNumber);
  if (outbound.template) expressions.template = compile(['outbound', 'template'], outbound.template);
  if (outbound.cancelTemplate) expressions.cancelTemplate = compile(['outbound', 'cancelTemplate'], outbound.cancelTemplate);
  for (const [header, source] of Object.entries(outbound.columns ?? {})) {
    const expression = compile(['outbound', 'columns', header], source);
    if (expression) expressions.columns.push({ header, expression });
  }
  for (const [key, source] of Object.entries(outbound.overrides ?? {})) {
    const expression = compile(['outbound', 'overrides', key], source);
    const match = OVERRIDE_KEY.exec(key);
    if (!expression || !match) continue;
    const override: CompiledOverride = { key, segment: match[1]!, element: Number(match[3]), expression };
    if (match[2]) override.qualifier = match[2].slice(1);
    expressions.overrides.push(override);
  }
  return expressions;
}

async function loadCatalog(
  dir: string,
  name: string,
  line: number | undefined,
  issues: Issue[],
): Promise<Map<string, CatalogEntry>> {
  const { catalog, issues: problems } = await readCatalogFile(dir, name);
  for (const problem of problems) {
    issues.push({ path: 'skus.catalog', message: problem.line === undefined ? problem.message : describeIssue(name, problem), ...(line === undefined ? {} : { line }) });
  }
  return catalog;
}

/** The 1-based line of a key path in the YAML document: the key itself, or its nearest existing parent. */
function lineOf(doc: Document, lineCounter: LineCounter, keyPath: KeyPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const key of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** The keys the schema allows at a path, for "did you mean" hints. */
function knownKeys(keyPath: KeyPath, root: unknown = Mapping): string[] {
  type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; options?: unknown[]; in?: unknown; valueType?: unknown; element?: unknown };
  const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def: Def } })?._zod?.def;
  const unwrap = (schema: unknown): unknown[] => {
    const def = defOf(schema);
    if (!def) return [];
    if (def.innerType) return unwrap(def.innerType);
    if (def.type === 'pipe') return unwrap(def.in);
    if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
    return [schema];
  };
  let schemas = unwrap(root);
  for (const key of keyPath) {
    schemas = schemas.flatMap((schema) => {
      const def = defOf(schema);
      if (def?.type === 'object' && typeof key === 'string') return unwrap(def.shape?.[key]);
      if (def?.type === 'array' && typeof key === 'number') return unwrap(def.element);
      if (def?.type === 'record') return unwrap(def.valueType);
      return [];
    });
  }
  return [...new Set(schemas.flatMap((schema) => Object.keys(defOf(schema)?.shape ?? {})))];
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const SECRET_KEY = /password|passphrase|privatekey|token|secret|authorization|apikey|api-key/i;

/** A copy of a mapping (or any config object) safe to log: secret values replaced by "***". */
export function redactMapping<T>(mapping: T): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        out[key] = SECRET_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'object' ? '***' : visit(value);
      }
      return out;
    }
    return node;
  };
  return visit(mapping) as T;
}
