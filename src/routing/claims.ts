/**
 * Which supplier ships a SKU: the mapping's `skus` rules (prefixes, list, catalog). A SKU claimed by
 * no supplier, or by more than one, cannot be routed: the hub never guesses.
 */
import type { LoadedMapping } from '../config/mapping-loader.ts';

interface SkuIndex {
  prefixes: readonly string[];
  list: ReadonlySet<string>;
}

const indexes = new WeakMap<LoadedMapping, SkuIndex>();

function indexOf(loaded: LoadedMapping): SkuIndex {
  let index = indexes.get(loaded);
  if (!index) {
    index = { prefixes: loaded.mapping.skus.prefixes ?? [], list: new Set(loaded.mapping.skus.list ?? []) };
    indexes.set(loaded, index);
  }
  return index;
}

/** Whether this supplier's rules claim the SKU. */
export function claims(loaded: LoadedMapping, sku: string): boolean {
  const index = indexOf(loaded);
  return index.list.has(sku) || loaded.catalog.has(sku) || index.prefixes.some((prefix) => sku.startsWith(prefix));
}

/** Every supplier claiming the SKU (normally exactly one). */
export function suppliersFor(sku: string, mappings: readonly LoadedMapping[]): LoadedMapping[] {
  return mappings.filter((loaded) => claims(loaded, sku));
}
