/**
 * Which suppliers carry a SKU: each mapping's `skus` rules (prefixes, list, catalog). A SKU may be
 * carried by several suppliers; every one is a candidate source, and the routing decision
 * (`decide.ts`) picks among them by the routing policy. A SKU no supplier carries cannot be routed.
 */
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { NO_TERMS, catalogSource, ruleSource, type Source, type SupplierTerms } from './sources.ts';

interface SkuIndex {
  prefixes: readonly string[];
  list: ReadonlySet<string>;
  terms: SupplierTerms;
  /** Catalog sources made so far (one per catalog entry, reused across orders). */
  catalogSources: Map<string, Source>;
}

const indexes = new WeakMap<LoadedMapping, SkuIndex>();

function indexOf(loaded: LoadedMapping): SkuIndex {
  let index = indexes.get(loaded);
  if (!index) {
    index = {
      prefixes: loaded.mapping.skus.prefixes ?? [],
      list: new Set(loaded.mapping.skus.list ?? []),
      terms: supplierTerms(loaded),
      catalogSources: new Map(),
    };
    indexes.set(loaded, index);
  }
  return index;
}

/** The supplier's routing terms from its mapping's `routing` key (none: no priority, no fee, no buffer). */
export function supplierTerms(loaded: LoadedMapping): SupplierTerms {
  const routing = loaded.mapping.routing;
  if (!routing) return NO_TERMS;
  return Object.freeze({
    priority: routing.priority ?? null,
    shippingFee: routing.shippingFee ?? null,
    stockBuffer: routing.stockBuffer ?? 0,
  });
}

/** Whether this supplier's rules claim the SKU. */
export function claims(loaded: LoadedMapping, sku: string): boolean {
  const index = indexOf(loaded);
  return index.list.has(sku) || loaded.catalog.has(sku) || index.prefixes.some((prefix) => sku.startsWith(prefix));
}

/** Every supplier claiming the SKU, in the mappings' order. */
export function suppliersFor(sku: string, mappings: readonly LoadedMapping[]): LoadedMapping[] {
  return mappings.filter((loaded) => claims(loaded, sku));
}

/**
 * This supplier's source for the SKU, or undefined when it does not carry it. The catalog wins
 * over the rules: a SKU in the catalog gets its supplier SKU, cost, priority, minQty and lead time.
 */
export function sourceOf(loaded: LoadedMapping, sku: string): Source | undefined {
  const index = indexOf(loaded);
  const entry = loaded.catalog.get(sku);
  if (entry) {
    let source = index.catalogSources.get(sku);
    if (!source) {
      source = catalogSource(loaded.supplier, entry.supplierSku, entry, index.terms);
      index.catalogSources.set(sku, source);
    }
    return source;
  }
  if (index.list.has(sku) || index.prefixes.some((prefix) => sku.startsWith(prefix))) return ruleSource(loaded.supplier, sku, index.terms);
  return undefined;
}

/** Every candidate source of the SKU: one per supplier that carries it, in the mappings' order. */

export function sourcesFor(sku: string, mappings: readonly LoadedMapping[]): Source[] {
  const sources: Source[] = [];
  for (const loaded of mappings) {
    const source = sourceOf(loaded, sku);
    if (source) sources.push(source);
  }
  return sources;
}

interface SourceCache {
  mappings: readonly LoadedMapping[];
  bySku: Map<string, Source[]>;
}

/** At most this many SKUs' sources are remembered per set of mappings (then it starts again). */
const SOURCE_CACHE_SKUS = 100_000;
const caches = new WeakMap<LoadedMapping, SourceCache>();

/**
 * `sourcesFor` over a set of mappings, remembered per SKU: the mappings do not change while they
 * are loaded, and routing looks the same SKUs up order after order. The cache belongs to the set
 * (the same mapping objects in the same order, whatever array holds them), so a reloaded set starts
 * afresh. Sources are never changed by the decision, so the same objects can be handed out again.
 */
export function sourceLookup(mappings: readonly LoadedMapping[]): (sku: string) => readonly Source[] {
  const first = mappings[0];
  if (!first) return () => [];
  let cache = caches.get(first);
  if (!cache || !sameSet(cache.mappings, mappings)) {
    cache = { mappings: [...mappings], bySku: new Map() };
    caches.set(first, cache);
  }
  const { bySku } = cache;
  return (sku) => {
    let sources = bySku.get(sku);
    if (!sources) {
      sources = sourcesFor(sku, mappings);
      if (bySku.size >= SOURCE_CACHE_SKUS) bySku.clear();
      bySku.set(sku, sources);
    }
    return sources;
  };
}

function sameSet(a: readonly LoadedMapping[], b: readonly LoadedMapping[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
