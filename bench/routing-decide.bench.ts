/**
 * Routing throughput (issue 12: at least 0.8× today's single-source routing): 10,000 orders of 3
 * lines, each SKU carried by 5 suppliers with live stock, routed by `routeOrder` through the
 * decision (in-stock, priority, cost, fewest-shipments; split lines allowed), beside the peer:
 * today's single-source `routeOrder` (the frozen copy in test/helpers/route-order-before-sources.ts)
 * on the same orders, each SKU carried by one of the same suppliers. Both build the same kind of
 * purchase orders from mapping files loaded from disk; both are warmed up alike and timed in
 * interleaved batches of 500 orders, in CPU time of the process, so that a noisy neighbour hurts
 * both alike and other processes' load does not count. Stock is an
 * in-memory ledger (what the one query per order will return); the explanation is measured
 * separately, since today's router makes none.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CanonicalOrder } from '../src/canonical/order.ts';
import { loadMappings, type LoadedMapping } from '../src/config/mapping-loader.ts';
import { decide, stockSnapshot, type StockRow, type StockSnapshot } from '../src/routing/decide.ts';
import { explainDecision } from '../src/routing/explain.ts';
import { BUILT_IN_POLICY, mergePolicy } from '../src/routing/policy.ts';
import { routeOrder, sourceLookup, type RouteInput } from '../src/routing/index.ts';
import { routeOrderBeforeSources } from '../test/helpers/route-order-before-sources.ts';
import type { Benchmark, Figure } from './run.ts';

const ORDERS = Number(process.env.BENCH_ROUTING_ORDERS ?? 10_000);
const SKUS = 3_000;
const SUPPLIERS = ['north', 'east', 'south', 'west', 'central'];
const BATCH = 500;
const WARM_UP_PASSES = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CREATED_AT = '2026-11-26T12:00:00Z';
const NOW = new Date(CREATED_AT);
const RETAILER = { id: 'toyshop', name: 'The Toy Shop' };

/** A small deterministic generator (mulberry32), so that every run routes the same orders. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sku = (i: number) => `SKU-${String(i).padStart(5, '0')}`;

function mappingYaml(supplier: string, priority: number): string {
  return [
    `supplier: ${supplier}`,
    `name: ${supplier} (bench)`,
    `skus: { catalog: ${supplier}.catalog.csv }`,
    `transport: { type: sftp, host: sftp.example, username: hub, password: x, hostKey: "SHA256:${'A'.repeat(43)}", outboundDir: /in }`,
    `outbound: { format: csv, filename: "{poNumber}.csv", columns: { Item: supplierSku, Qty: quantity } }`,
    `routing: { priority: ${priority}, shippingFee: "${(priority * 1.25).toFixed(2)}", stockBuffer: 1 }`,
    '',
  ].join('\n');
}

/** Two mapping directories: every SKU at all five suppliers, and every SKU at one of them. */
async function mappingSets(): Promise<{ multi: LoadedMapping[]; single: LoadedMapping[] }> {
  const rand = random(12);
  const root = mkdtempSync(path.join(tmpdir(), 'bench-routing-'));
  const dirs = { multi: path.join(root, 'multi'), single: path.join(root, 'single') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  SUPPLIERS.forEach((supplier, s) => {
    const multi = ['sku,supplierSku,cost,priority,minQty'];
    const single = ['sku,supplierSku,cost'];
    for (let i = 0; i < SKUS; i++) {
      const cost = (5 + rand() * 20).toFixed(2);
      multi.push(`${sku(i)},${supplier.slice(0, 2).toUpperCase()}-${i},${cost},${i % 7 === s ? 1 : ''},${i % 11 === s ? 3 : ''}`);
      if (i % SUPPLIERS.length === s) single.push(`${sku(i)},${supplier.slice(0, 2).toUpperCase()}-${i},${cost}`);
    }
    writeFileSync(path.join(dirs.multi, `${supplier}.yaml`), mappingYaml(supplier, s + 1));
    writeFileSync(path.join(dirs.multi, `${supplier}.catalog.csv`), `${multi.join('\n')}\n`);
    writeFileSync(path.join(dirs.single, `${supplier}.yaml`), mappingYaml(supplier, s + 1));
    writeFileSync(path.join(dirs.single, `${supplier}.catalog.csv`), `${single.join('\n')}\n`);
  });
  return { multi: await loadMappings(dirs.multi, {}), single: await loadMappings(dirs.single, {}) };
}

function orders(): CanonicalOrder[] {
  const rand = random(7);
  return Array.from({ length: ORDERS }, (_, n) => ({
    externalId: String(100_000 + n),
    orderNumber: `#${100_000 + n}`,
    placedAt: '2026-11-26T10:00:00Z',
    currency: 'USD',
    payment: { status: 'paid', reference: `ch_${n}` },
    customer: { name: `Customer ${n}`, email: `c${n}@example.com`, phone: null },
    shipTo: { name: `Customer ${n}`, company: null, address1: `${n} Main St`, address2: null, city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US', phone: null },
    shipping: { method: 'Standard', carrier: null, serviceLevel: 'GROUND' },
    lines: Array.from({ length: 3 }, (_, j) => ({
      lineId: String(j + 1),
      sku: sku(Math.floor(rand() * SKUS)),
      title: `Item ${j + 1}`,
      quantity: 1 + Math.floor(rand() * 4),
      unitPrice: `${10 + j}.99`,
    })),
    notes: null,
  }));
}

/**
 * The ledger: every (supplier, supplier SKU) with a figure, as feeds leave it: each supplier's last
 * full feed (its own timestamp, 1 to 5 hours old) for nine rows in ten, an older feed (40 hours,
 * past stockMaxAge: unknown) for the rest; some figures at 0.
 */
function ledger(multi: readonly LoadedMapping[]): StockSnapshot {
  const rand = random(3);
  const rows: StockRow[] = [];
  multi.forEach((loaded, s) => {
    const fresh = new Date(NOW.getTime() - (1 + s) * 3_600_000);
    const stale = new Date(NOW.getTime() - 40 * 3_600_000);
    for (const entry of loaded.catalog.values()) {
      rows.push({
        supplier: loaded.supplier,
        supplierSku: entry.supplierSku,
        available: Math.floor(rand() * 12),
        reserved: Math.floor(rand() * 3),
        asOf: rand() < 0.1 ? stale : fresh,
      });
    }
  });
  return stockSnapshot(rows);
}

type Route = (input: RouteInput) => Promise<unknown>;

/**
 * CPU seconds (user + system) of this process: the work is synchronous, so on an idle machine this is
 * the wall time; on a shared one, other processes' load does not leak into the figure.
 */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function time(inputs: readonly RouteInput[], from: number, to: number, route: Route): Promise<number> {
  let done = 0;
  const start = cpuSeconds();
  for (let i = from; i < to; i++) if (await route(inputs[i]!)) done++;
  const seconds = cpuSeconds() - start;
  if (done !== to - from) throw new Error('an order was not routed');
  return seconds;
}

/**
 * Orders per second of two routers over the same orders: the same warm-up (every order routed
 * twice by each, so that both run optimised code), then interleaved batches; best of ROUNDS.
 */
async function rates(inputs: readonly RouteInput[], a: Route, b: Route): Promise<[number, number]> {
  let bestA = 0;
  let bestB = 0;
  for (let i = 0; i < WARM_UP_PASSES; i++) {
    await time(inputs, 0, inputs.length, a);
    await time(inputs, 0, inputs.length, b);
  }
  for (let round = 0; round < ROUNDS; round++) {
    let secondsA = 0;
    let secondsB = 0;
    for (let from = 0; from < inputs.length; from += BATCH) {
      const to = Math.min(inputs.length, from + BATCH);
      secondsA += await time(inputs, from, to, a);
      secondsB += await time(inputs, from, to, b);
    }
    bestA = Math.max(bestA, inputs.length / secondsA);
    bestB = Math.max(bestB, inputs.length / secondsB);
  }
  return [bestA, bestB];
}

const bench: Benchmark = {
  name: 'routing-decide',
  async run(): Promise<Figure[]> {
    const { multi, single } = await mappingSets();
    const stock = ledger(multi);
    const policy = mergePolicy(BUILT_IN_POLICY, { rules: ['in-stock', 'priority', 'cost', 'fewest-shipments'], splitLines: true, unfillable: 'partial' });
    const inputs: RouteInput[] = orders().map((order, n) => ({ orderId: `ord_${n}`, retailer: RETAILER, order, createdAt: CREATED_AT }));
    const withStock = inputs.map((input) => ({ ...input, routing: { policy, stock } }));

    const today: Route = async (input) => {
      const routed = await routeOrderBeforeSources(input, single);
      return routed.ok;
    };
    const peer = { name: "today's single-source routeOrder", value: 0 };
    const figures: Figure[] = [];
    const orderSeconds = (value: number, metric: string, peerValue: number): Figure => ({
      bench: 'routing-decide',
      metric,
      value: Math.round(value),
      unit: 'orders/s',
      peer: { ...peer, value: Math.round(peerValue) },
    });

    // 1. The figure: five sources, live stock, the decision, the purchase orders.
    const multiRoute: Route = async (input) => (await routeOrder(input, multi)).ok;
    const [multiRate, peerRate] = await rates(withStock, multiRoute, today);
    figures.push(orderSeconds(multiRate, `routeOrder, ${ORDERS / 1000}k × 3 lines, 5 sources, live stock`, peerRate));

    // 2. The same with the explanation rendered (what GET /v1/orders/{id} will show).
    const explained: Route = async (input) => {
      const routed = await routeOrder(input, multi);
      return routed.ok && explainDecision(routed.decision).length > 0;
    };
    const [explainedRate, peerRate2] = await rates(withStock, explained, today);
    figures.push(orderSeconds(explainedRate, '  … and the explanation rendered', peerRate2));

    // 3. Today's case through the new code: one source per SKU, no policy, no stock.
    const [singleRate, peerRate3] = await rates(inputs, async (input) => (await routeOrder(input, single)).ok, today);
    figures.push(orderSeconds(singleRate, 'routeOrder, one source per SKU, no policy (new code)', peerRate3));

    // 4. The decision alone, on the orders' lines (no purchase orders).
    const lines = withStock.map((input) => input.order.lines);
    const sources = sourceLookup(multi);
    const decideAll = (from: number, to: number) => {
      const start = cpuSeconds();
      for (let i = from; i < to; i++) decide({ lines: lines[i]!, sources, stock, policy, now: NOW });
      return cpuSeconds() - start;
    };
    for (let i = 0; i < WARM_UP_PASSES; i++) decideAll(0, lines.length);
    let best = 0;
    for (let round = 0; round < ROUNDS; round++) best = Math.max(best, lines.length / decideAll(0, lines.length));
    figures.push({ bench: 'routing-decide', metric: 'decide() alone, same orders', value: Math.round(best), unit: 'orders/s' });

    // What the orders came to: how much the stock mattered.
    const outcomes = { routed: 0, partial: 0, waiting: 0, held: 0 };
    let split = 0;
    for (let i = 0; i < lines.length; i++) {
      const decision = decide({ lines: lines[i]!, sources, stock, policy, now: NOW });
      outcomes[decision.outcome]++;
      split += decision.lines.filter((l) => l.allocations.length > 1).length;
    }
    figures.push({ bench: 'routing-decide', metric: 'orders routed whole (the rest partly, stock short)', value: Math.round((100 * outcomes.routed) / lines.length), unit: '%' });
    figures.push({ bench: 'routing-decide', metric: 'lines split over two sources or more', value: split, unit: 'lines' });
    return figures;
  },
};

export default bench;
