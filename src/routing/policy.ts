/**
 * The routing policy: how the decision (`decide.ts`) chooses among the sources of a SKU. It lives
 * in `routing.yaml` beside the mapping files (read by `policy-loader.ts`): a `default`, and
 * per-retailer overrides merged over it key by key. Without the file, `BUILT_IN_POLICY` applies:
 * the hub's behaviour before the file existed (stock is not consulted, an order with a line no
 * source can take is held whole), expressed as a policy. See docs/routing.md.
 *
 * @example
 *   # routing.yaml
 *   default:
 *     rules: [in-stock, priority, cost, fewest-shipments]
 *     stockMaxAge: 24h
 *   retailers:
 *     toyshop: { rules: [in-stock, cost], unfillable: partial }
 *
 *   const policy = policyFor(policies, 'toyshop');   // default merged with toyshop's keys
 */
import { z } from 'zod';

/** The rules a policy orders. `in-stock` filters; the others rank, each breaking the ties of those before. */
export const ROUTING_RULES = ['in-stock', 'priority', 'cost', 'fewest-shipments'] as const;
export type RoutingRule = (typeof ROUTING_RULES)[number];

/** One policy, resolved for a retailer. */
export interface RoutingPolicy {
  rules: readonly RoutingRule[];
  /** Stock older than this counts as unknown. */
  stockMaxAgeMs: number;
  /** The same, as written (`24h`), for explanations. */
  stockMaxAge: string;
  /** With `in-stock`: a source whose stock is unknown is routed as if in stock, or skipped. */
  unknownStock: 'route' | 'skip';
  /** A line no source can take: hold the whole order, or route the other lines now and let it wait. */
  unfillable: 'hold' | 'partial';
  /** With `in-stock`: a line no single source can take whole may be split across sources. */
  splitLines: boolean;
  /** How many times one line may be moved to another source before it is given up. */
  maxReroutes: number;
  /**
   * How long a backordered line may wait (extension, issue 12 item 6): a line an 855 backorders
   * with a date later than this from now, or still unshipped this long after an 855 that gives no
   * date, is moved to the next source (with `maxReroutes` above 0). Null: a backorder never moves it.
   */
  backorderToleranceMs: number | null;
  /** The same, as written (`3d`), for explanations; null: none. */
  backorderTolerance: string | null;
}

/**
 * No `routing.yaml`: the hub as it routed before the file existed. Stock is not consulted (no
 * `in-stock`); where several suppliers carry a SKU the lowest priority wins, then the lowest landed
 * cost, then the fewest shipments, then the supplier id; a line no supplier carries holds the
 * order; nothing is rerouted by itself. Keys a file leaves out take these values too: a key not
 * written keeps the hub's earlier behaviour.
 */
export const BUILT_IN_POLICY: RoutingPolicy = Object.freeze({
  rules: Object.freeze(['priority', 'cost', 'fewest-shipments'] as const),
  stockMaxAgeMs: 24 * 3_600_000,
  stockMaxAge: '24h',
  unknownStock: 'route',
  unfillable: 'hold',
  splitLines: false,
  maxReroutes: 0,
  backorderToleranceMs: null,
  backorderTolerance: null,
});

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;
const MAX_DURATION_MS = 366 * UNIT_MS.d;

/** "24h" → 86 400 000; "1d12h", "90m", "45s", "500ms"; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return ms;
}

/** An age in words for explanations: "45 min", "30 h", "3 d". */
export function formatAge(ms: number): string {
  if (ms < UNIT_MS.m) return `${Math.max(0, Math.round(ms / UNIT_MS.s))} s`;
  if (ms < UNIT_MS.h) return `${Math.round(ms / UNIT_MS.m)} min`;
  if (ms < 2 * UNIT_MS.d) return `${Math.round(ms / UNIT_MS.h)} h`;
  return `${Math.round(ms / UNIT_MS.d)} d`;
}

const rulesText = ROUTING_RULES.join(', ');

const Rule = z.string({ error: `must be a rule name: ${rulesText}` }).refine((r) => (ROUTING_RULES as readonly string[]).includes(r), {
  error: (issue) => `unknown rule "${String(issue.input)}"; the rules are ${rulesText}`,
});

const Duration = z.string({ error: 'must be a duration such as 24h, 90m or 7d' }).refine(
  (text) => {
    const ms = parseDuration(text);
    return ms !== undefined && ms > 0 && ms <= MAX_DURATION_MS;
  },
  { error: (issue) => `"${String(issue.input)}" is not a duration such as 24h, 90m or 7d (more than 0, at most 366d)` },
);

const choice = <T extends string>(values: readonly [T, ...T[]]) =>
  z.string({ error: `must be one of ${values.join(', ')}` }).refine((v) => (values as readonly string[]).includes(v), {
    error: (issue) => `"${String(issue.input)}" must be one of ${values.join(', ')}`,
  }) as unknown as z.ZodType<T>;

/** The keys of `default` and of each retailer: all optional, each one replacing the value below it. */
export const PolicySettings = z.strictObject({
  rules: z
    .array(Rule, { error: `must be a list of rules, such as [in-stock, priority, cost, fewest-shipments]` })
    .superRefine((rules, ctx) => {
      rules.forEach((rule, i) => {
        if (rules.indexOf(rule) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `rule "${rule}" is listed twice` });
      });
    })
    .optional(),
  stockMaxAge: Duration.optional(),
  unknownStock: choice(['route', 'skip'] as const).optional(),
  unfillable: choice(['hold', 'partial'] as const).optional(),
  splitLines: z.boolean({ error: 'must be true or false' }).optional(),
  maxReroutes: z.number({ error: 'must be a whole number' }).int('must be a whole number').min(0, 'must not be negative').max(20, 'must be at most 20').optional(),
  backorderTolerance: Duration.optional(),
});
export type PolicySettings = z.infer<typeof PolicySettings>;

const RETAILER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** `routing.yaml`. */
export const RoutingPolicyFile = z.strictObject({
  default: PolicySettings.optional(),
  retailers: z
    .record(z.string().regex(RETAILER_ID), PolicySettings, {
      error: (issue) =>
        issue.code === 'invalid_key' ? 'a retailer id is lower-case letters, digits, "-" and "_"' : 'must map retailer ids to their settings',
    })
    .optional(),
});
export type RoutingPolicyFile = z.infer<typeof RoutingPolicyFile>;

/** Every policy of a hub: the default and the retailers' (each already merged over the default). */
export interface RoutingPolicies {
  /** The file they come from; null: none, the built-in policy. */
  file: string | null;
  default: RoutingPolicy;
  retailers: ReadonlyMap<string, RoutingPolicy>;
}

/** The policies when there is no routing.yaml. */
export const BUILT_IN_POLICIES: RoutingPolicies = Object.freeze({ file: null, default: BUILT_IN_POLICY, retailers: new Map() });

/** `settings` over `base`, key by key (a list of rules replaces the list below it whole). */
export function mergePolicy(base: RoutingPolicy, settings: PolicySettings | undefined): RoutingPolicy {
  if (!settings) return base;
  const merged: RoutingPolicy = { ...base };
  if (settings.rules) merged.rules = Object.freeze([...(settings.rules as RoutingRule[])]);
  if (settings.stockMaxAge !== undefined) {
    merged.stockMaxAge = settings.stockMaxAge.trim();
    merged.stockMaxAgeMs = parseDuration(settings.stockMaxAge)!;
  }
  if (settings.unknownStock !== undefined) merged.unknownStock = settings.unknownStock;
  if (settings.unfillable !== undefined) merged.unfillable = settings.unfillable;
  if (settings.splitLines !== undefined) merged.splitLines = settings.splitLines;
  if (settings.maxReroutes !== undefined) merged.maxReroutes = settings.maxReroutes;
  if (settings.backorderTolerance !== undefined) {
    merged.backorderTolerance = settings.backorderTolerance.trim();
    merged.backorderToleranceMs = parseDuration(settings.backorderTolerance)!;
  }
  return Object.freeze(merged);
}

/** A validated file → every policy: the default over the built-in one, each retailer's over the default. */
export function resolvePolicies(file: RoutingPolicyFile, name: string | null): RoutingPolicies {
  const base = mergePolicy(BUILT_IN_POLICY, file.default);
  const retailers = new Map<string, RoutingPolicy>();
  for (const [id, settings] of Object.entries(file.retailers ?? {})) retailers.set(id, mergePolicy(base, settings));
  return { file: name, default: base, retailers };
}

/** The policy for a retailer: its own where routing.yaml has one, else the default. */
export function policyFor(policies: RoutingPolicies, retailerId: string): RoutingPolicy {
  return policies.retailers.get(retailerId) ?? policies.default;
}

/** One line for `hub mappings check`: "in-stock, cost; stock older than 24h unknown (route); unfillable hold; …". */
export function describePolicy(policy: RoutingPolicy): string {
  const stock = policy.rules.includes('in-stock')
    ? `stock older than ${policy.stockMaxAge} counts as unknown (${policy.unknownStock})${policy.splitLines ? ', lines may split' : ''}`
    : 'stock not consulted';
  return `rules ${policy.rules.length ? policy.rules.join(', ') : '(none)'}; ${stock}; unfillable ${policy.unfillable}; at most ${policy.maxReroutes} reroute${policy.maxReroutes === 1 ? '' : 's'} a line${
    policy.backorderTolerance === null ? '' : `, backorders tolerated ${policy.backorderTolerance}`
  }`;
}
