/**
 * routing.yaml: the schema, the merge of retailers over the default over the built-in policy,
 * durations, and every error at its key path and line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMappings } from '../../src/config/mapping-loader.ts';
import { MappingError } from '../../src/errors.ts';
import { BUILT_IN_POLICIES, BUILT_IN_POLICY, describePolicy, formatAge, parseDuration, policyFor } from '../../src/routing/policy.ts';
import { checkRoutingPolicy, loadRoutingPolicy, parseRoutingPolicySource } from '../../src/routing/policy-loader.ts';
import { EXAMPLE_ENV, MAPPINGS_DIR } from '../formats/outbound/examples.ts';

const FILE = '/hub/mappings/routing.yaml';

function parse(text: string, env: Record<string, string> = {}) {
  const parsed = parseRoutingPolicySource(text, FILE, env);
  if (parsed instanceof MappingError) throw parsed;
  return parsed;
}

function refused(text: string, env: Record<string, string> = {}) {
  const parsed = parseRoutingPolicySource(text, FILE, env);
  expect(parsed).toBeInstanceOf(MappingError);
  const error = parsed as MappingError;
  expect(error.message.startsWith(`${FILE}: invalid routing policy\n`)).toBe(true);
  expect(error.code).toBe('mapping_invalid');
  return error.issues;
}

describe('durations', () => {
  it('reads ms, s, m, h, d and their sums', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('1d12h')).toBe(129_600_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('500ms')).toBe(500);
    for (const bad of ['24', '1 h', 'h', '-1h', '1.5h', '1w', '', '24H']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('says an age in words', () => {
    expect([20_000, 45 * 60_000, 30 * 3_600_000, 3 * 86_400_000].map(formatAge)).toEqual(['20 s', '45 min', '30 h', '3 d']);
  });
});

describe('the policies in routing.yaml', () => {
  it('merges the default over the built-in policy, and each retailer over the default, key by key', () => {
    const policies = parse(`
default:
  rules: [in-stock, priority, cost, fewest-shipments]
  stockMaxAge: 12h
  unfillable: partial
retailers:
  toyshop: { rules: [in-stock, cost], splitLines: true }
  gadgets:
    unknownStock: skip
    maxReroutes: 1
`);
    expect(policies.file).toBe(FILE);
    expect(policies.default).toEqual({
      rules: ['in-stock', 'priority', 'cost', 'fewest-shipments'],
      stockMaxAge: '12h',
      stockMaxAgeMs: 43_200_000,
      unknownStock: 'route',
      unfillable: 'partial',
      splitLines: false,
      maxReroutes: 0,
      backorderToleranceMs: null,
      backorderTolerance: null,
    });
    expect(policyFor(policies, 'toyshop')).toEqual({ ...policies.default, rules: ['in-stock', 'cost'], splitLines: true });
    expect(policyFor(policies, 'gadgets')).toEqual({ ...policies.default, unknownStock: 'skip', maxReroutes: 1 });
    expect(policyFor(policies, 'anyone-else')).toBe(policies.default);
  });

  it('is the built-in policy, today\'s behaviour, when the file is empty of settings or absent', async () => {
    expect(parse('{}').default).toEqual(BUILT_IN_POLICY);
    expect(BUILT_IN_POLICY).toEqual({
      rules: ['priority', 'cost', 'fewest-shipments'],
      stockMaxAge: '24h',
      stockMaxAgeMs: 86_400_000,
      unknownStock: 'route',
      unfillable: 'hold',
      splitLines: false,
      maxReroutes: 0,
      backorderToleranceMs: null,
      backorderTolerance: null,
    });
    expect(await loadRoutingPolicy(MAPPINGS_DIR, EXAMPLE_ENV)).toBe(BUILT_IN_POLICIES);
    expect(describePolicy(BUILT_IN_POLICY)).toBe('rules priority, cost, fewest-shipments; stock not consulted; unfillable hold; at most 0 reroutes a line');
  });

  it('reads backorderTolerance (an extension: how long a backordered line may wait before it moves)', () => {
    const policies = parse('default: { maxReroutes: 2, backorderTolerance: 3d }\nretailers:\n  toyshop: { backorderTolerance: 36h }\n');
    expect(policies.default).toMatchObject({ maxReroutes: 2, backorderTolerance: '3d', backorderToleranceMs: 259_200_000 });
    expect(policyFor(policies, 'toyshop')).toMatchObject({ maxReroutes: 2, backorderTolerance: '36h', backorderToleranceMs: 129_600_000 });
    expect(describePolicy(policies.default)).toBe('rules priority, cost, fewest-shipments; stock not consulted; unfillable hold; at most 2 reroutes a line, backorders tolerated 3d');
    expect(refused('default: { backorderTolerance: soon }')).toEqual([
      { path: 'default.backorderTolerance', line: 1, message: '"soon" is not a duration such as 24h, 90m or 7d (more than 0, at most 366d)' },
    ]);
  });

  it('takes ${NAME} from the environment like a mapping file', () => {
    expect(parse('default: { stockMaxAge: "${STOCK_AGE}", maxReroutes: "${REROUTES}" }', { STOCK_AGE: '2d', REROUTES: '3' }).default).toMatchObject({ stockMaxAgeMs: 172_800_000, maxReroutes: 3 });
    expect(refused('default: { stockMaxAge: "${STOCK_AGE}" }')).toEqual([{ path: 'default.stockMaxAge', line: 1, message: 'environment variable STOCK_AGE is not set' }]);
  });
});

describe('a bad routing.yaml, every problem with its key path and line', () => {
  it('unknown keys, with a hint', () => {
    expect(refused('default:\n  rules: [cost]\n  unfilable: partial\nretailer:\n  toyshop: {}\n')).toEqual([
      { path: 'default.unfilable', line: 3, message: 'unknown key "unfilable" (did you mean "unfillable"?)' },
      { path: 'retailer', line: 4, message: 'unknown key "retailer" (did you mean "retailers"?)' },
    ]);
    expect(refused('retailers:\n  toyshop:\n    splitLine: true\n')).toEqual([
      { path: 'retailers.toyshop.splitLine', line: 3, message: 'unknown key "splitLine" (did you mean "splitLines"?)' },
    ]);
  });

  it('bad values, in plain words', () => {
    const issues = refused(`default:
  rules: [in-stock, cheapest, cost, cost]
  stockMaxAge: 24
  unknownStock: maybe
  unfillable: partially
  splitLines: yes please
  maxReroutes: -1
retailers:
  Toy Shop: {}
  toyshop: { stockMaxAge: 0h, rules: in-stock }
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'default.rules.1', line: 2, message: 'unknown rule "cheapest"; the rules are in-stock, priority, cost, fewest-shipments' },
        { path: 'default.rules.3', line: 2, message: 'rule "cost" is listed twice' },
        { path: 'default.stockMaxAge', line: 3, message: 'must be a duration such as 24h, 90m or 7d' },
        { path: 'default.unknownStock', line: 4, message: '"maybe" must be one of route, skip' },
        { path: 'default.unfillable', line: 5, message: '"partially" must be one of hold, partial' },
        { path: 'default.splitLines', line: 6, message: 'must be true or false' },
        { path: 'default.maxReroutes', line: 7, message: 'must not be negative' },
        { path: 'retailers.Toy Shop', line: 9, message: 'a retailer id is lower-case letters, digits, "-" and "_"' },
        { path: 'retailers.toyshop.rules', line: 10, message: 'must be a list of rules, such as [in-stock, priority, cost, fewest-shipments]' },
        { path: 'retailers.toyshop.stockMaxAge', line: 10, message: '"0h" is not a duration such as 24h, 90m or 7d (more than 0, at most 366d)' },
      ]),
    );
    expect(issues).toHaveLength(10);
  });

  it('YAML it cannot read, and a file that is not a mapping', () => {
    expect(refused('default:\n  rules: [cost\n')[0]).toMatchObject({ path: '', message: expect.stringMatching(/^YAML: /), line: expect.any(Number) });
    expect(refused('default: {}\ndefault: {}\n')[0]).toMatchObject({ line: 2, message: 'YAML: the key "default" appears a second time at the same level; keep one of them' });
    expect(refused('- in-stock\n')).toEqual([{ path: '', line: 1, message: 'the file must be a YAML mapping (key: value) at the top level' }]);
  });
});

describe('routing.yaml beside the mapping files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hub-routing-'));
    await writeFile(
      path.join(dir, 'north.yaml'),
      `supplier: north\nname: North\nskus: { prefixes: ["N-"] }\ntransport: { type: sftp, host: h, username: u, password: p, hostKey: "SHA256:${'A'.repeat(43)}", outboundDir: /in }\noutbound: { format: csv, filename: "{poNumber}.csv", columns: { Item: supplierSku } }\n`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is not read as a supplier mapping, and is loaded by the policy loader', async () => {
    await writeFile(path.join(dir, 'routing.yaml'), 'default: { rules: [in-stock, cost] }\n');
    const { mappings, errors } = await checkMappings(dir, {});
    expect(errors).toEqual([]);
    expect(mappings.map((m) => m.supplier)).toEqual(['north']);
    const checked = await checkRoutingPolicy(dir, {});
    expect(checked.policies?.default.rules).toEqual(['in-stock', 'cost']);
    expect(checked.policies?.file).toBe(path.join(dir, 'routing.yaml'));
  });

  it('a bad one is reported with its file, key path and line, and loadRoutingPolicy throws it', async () => {
    await writeFile(path.join(dir, 'routing.yaml'), 'default:\n  rules: [in-stock, cost]\n  stockMaxAge: soon\n');
    const checked = await checkRoutingPolicy(dir, {});
    expect(checked.error?.message).toBe(
      `${path.join(dir, 'routing.yaml')}: invalid routing policy\n  default.stockMaxAge (line 3): "soon" is not a duration such as 24h, 90m or 7d (more than 0, at most 366d)`,
    );
    await expect(loadRoutingPolicy(dir, {})).rejects.toBeInstanceOf(MappingError);
  });

  it('refuses routing.yaml and routing.yml side by side', async () => {
    await writeFile(path.join(dir, 'routing.yaml'), 'default: {}\n');
    await writeFile(path.join(dir, 'routing.yml'), 'default: {}\n');
    expect((await checkRoutingPolicy(dir, {})).error?.issues).toEqual([{ path: '', message: 'routing.yaml is there too; keep one of them' }]);
  });
});
