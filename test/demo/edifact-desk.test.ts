/**
 * The demo's EDIFACT supplier (Hanse Spielwaren) without the network: the hub renders an ORDERS
 * with mappings/hanse.yaml into the desk's folder; the desk answers with an ORDRSP (asking for a
 * CONTRL) and a DESADV, which the hub reads under the same mapping's rules; the hub's CONTRL is
 * noted, not answered.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../src/canonical/purchase-order.ts';
import { loadMappingFile } from '../../src/config/mapping-loader.ts';
import { EdifactDesk } from '../../src/demo/edifact-desk.ts';
import { PROFILES } from '../../src/demo/suppliers.ts';
import { MAPPINGS_DIR } from '../../src/demo/demo.ts';
import { contrlAccepting, renderContrl } from '../../src/formats/edifact/index.ts';
import { renderOutbound } from '../../src/formats/outbound.ts';
import { parseSupplierBytes } from '../../src/pipeline/parse-file.ts';
import { routeOrder } from '../../src/routing/index.ts';
import { checkEdifact } from '../helpers/edifact-d96a-check.ts';
import { sampleOrder } from '../helpers/hub.ts';
import { CanonicalOrder } from '../../src/canonical/order.ts';

describe('the demo EDIFACT desk (Hanse Spielwaren)', () => {
  it('answers an ORDERS with an ORDRSP and a DESADV the hub reads, and notes the hub\'s CONTRL', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'hanse-desk-'));
    const folder = (p: string) => path.join(root, ...p.split('/').filter(Boolean));
    mkdirSync(folder('edifact/in'), { recursive: true });
    mkdirSync(folder('edifact/out'), { recursive: true });
    const env = { HANSE_SFTP_HOST: '127.0.0.1', HANSE_SFTP_USER: 'drophub', HANSE_SFTP_KEY_FILE: path.join(root, 'key'), HANSE_SFTP_HOST_KEY: `SHA256:${'A'.repeat(43)}` };
    writeFileSync(env.HANSE_SFTP_KEY_FILE, 'not read here');
    const loaded = await loadMappingFile(path.join(MAPPINGS_DIR, 'hanse.yaml'), env);
    const order = CanonicalOrder.parse(sampleOrder({ orderNumber: '#1008', currency: 'EUR', lines: [{ lineId: '1', sku: 'HANSE-ZUG-01', title: 'Holzeisenbahn', quantity: 2, unitPrice: '59.00' }] }));
    const routed = await routeOrder({ orderId: 'ord_1', retailer: { id: 'shop', name: 'Shop' }, order, createdAt: order.placedAt }, [loaded]);
    if (!routed.ok) throw new Error(routed.reason);
    const po = routed.purchaseOrders[0] as PurchaseOrder;
    const orders = await renderOutbound(loaded, po, { isa13: 41, gs06: 41, st02: 1 });
    expect(checkEdifact(orders.content)).toEqual([]);
    writeFileSync(path.join(folder('edifact/in'), orders.filename), orders.content);

    const activity: string[] = [];
    const pending: Promise<void>[] = [];
    const desk = new EdifactDesk(root, loaded, PROFILES.hanse!, (_ms, fn) => pending.push(fn()), (_s, m) => activity.push(m), () => undefined);
    await desk.tick();
    await Promise.all(pending);
    expect(activity[0]).toBe(`picked up ${orders.filename} (ORDERS ${po.poNumber}, 1 line)`);

    const written = readdirSync(folder('edifact/out')).filter((f) => !f.startsWith('.')).sort();
    expect(written).toEqual([expect.stringMatching(/^DESADV_\d+\.edi$/), expect.stringMatching(/^ORDRSP_\d+\.edi$/)]);
    const read = written.map((name) => parseSupplierBytes(loaded, name, readFileSync(path.join(folder('edifact/out'), name))));
    expect(read[0]!.items).toEqual([{ kind: 'shipment', shipment: expect.objectContaining({ poNumber: po.poNumber, carrier: 'DHL', trackingNumbers: [PROFILES.hanse!.tracking(1)] }) }]);
    expect(read[1]!.items).toEqual([{ kind: 'acknowledgment', acknowledgment: expect.objectContaining({ poNumber: po.poNumber, status: 'accepted' }) }]);
    const ordrsp = read[1] as unknown as { interchanges: Parameters<typeof contrlAccepting>[0][] };
    expect(ordrsp.interchanges[0]!.header.ackRequested).toBe(true);

    // The hub's CONTRL in the same folder: noted, not taken for an order.
    const contrl = renderContrl(contrlAccepting(ordrsp.interchanges[0]!), { controlReference: 42, createdAt: '2026-12-03T12:00:00Z' });
    writeFileSync(path.join(folder('edifact/in'), 'CONTRL_000000042.edi'), contrl.content);
    await desk.tick();
    expect(activity.at(-1)).toMatch(/^picked up CONTRL_000000042\.edi \(CONTRL: our interchange \d+ accepted\)$/);
  });
});
