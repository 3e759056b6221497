import type { LoadedMapping } from './config/mapping-loader.ts';
import type { HubEnv } from './config/env.ts';
import type { Logger } from './logger.ts';
import type { RoutingPolicies } from './routing/policy.ts';
import type { Metrics } from './metrics.ts';
import type { Store } from './store/database.ts';
import type { SupplierTransport } from './transports/transport.ts';

/**
 * What every part of the running hub is given: the store, the loaded mappings, a clock (injected,
 * so that outputs are stable in tests), the logger and the metrics. Built in src/main.ts.
 */
export interface Hub {
  store: Store;
  env: HubEnv;
  mappings: Map<string, LoadedMapping>;
  /** The routing policies of routing.yaml beside the mappings (the built-in one without the file). */
  routing: RoutingPolicies;
  clock: () => Date;
  logger: Logger;
  metrics: Metrics;
  /** Shopify Admin API base URL override per retailer is in the retailer row; this is the version. */
  shopifyApiVersion: string;
  transports: TransportRegistry;
}

/** One transport per supplier, built on first use and shared by workers and pollers. */
export interface TransportRegistry {
  get(supplierId: string): SupplierTransport;
  closeAll(): Promise<void>;
}
