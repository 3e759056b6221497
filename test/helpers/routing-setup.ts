/**
 * Suppliers that carry the same SKUs, written as mapping files with catalogs and loaded as the hub
 * loads them, plus a routing.yaml: for the tests of routing wired to the database. Nothing here is
 * ever delivered (CSV over an SFTP host that is never contacted: the tests route, they do not send).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadMappings, type LoadedMapping } from '../../src/config/mapping-loader.ts';
import { parseRoutingPolicySource } from '../../src/routing/policy-loader.ts';
import type { RoutingPolicies } from '../../src/routing/policy.ts';
import { MappingError } from '../../src/errors.ts';

export interface SupplierSpec {
  id: string;
  /** Catalog rows: `sku,supplierSku,cost` (priority optional). */
  catalog: string[];
  routing?: string;
}

/** Mapping files and catalogs in a fresh folder, loaded by the mapping loader; and the policy's text parsed. */
export async function routingFixture(suppliers: SupplierSpec[], policyYaml: string): Promise<{ dir: string; mappings: LoadedMapping[]; routing: RoutingPolicies }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-routing-'));
  for (const s of suppliers) {
    writeFileSync(
      path.join(dir, `${s.id}.yaml`),
      [
        `supplier: ${s.id}`,
        `name: ${s.id} (test)`,
        `skus: { catalog: ${s.id}.catalog.csv }`,
        `transport: { type: sftp, host: sftp.invalid, username: hub, password: x, hostKey: "SHA256:${'A'.repeat(43)}", outboundDir: /in }`,
        `outbound: { format: csv, filename: "{poNumber}.csv", columns: { PO: poNumber, Item: supplierSku, Qty: quantity } }`,
        ...(s.routing ? [`routing: ${s.routing}`] : []),
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, `${s.id}.catalog.csv`), ['sku,supplierSku,cost', ...s.catalog, ''].join('\n'));
  }
  writeFileSync(path.join(dir, 'routing.yaml'), policyYaml);
  const routing = parseRoutingPolicySource(policyYaml, path.join(dir, 'routing.yaml'), {});
  if (routing instanceof MappingError) throw routing;
  return { dir, mappings: await loadMappings(dir, {}), routing };
}
