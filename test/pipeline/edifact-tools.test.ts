/**
 * `hub mappings preview` and `hub documents parse` for an EDIFACT supplier (the functions behind the
 * two commands): the exact ORDERS bytes with the preview's all-nines control references and the
 * text warnings, and a supplier file read by its rule, streamed, or recognised by its content.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMappingFile } from '../../src/config/mapping-loader.ts';
import { ParseError } from '../../src/errors.ts';
import { parseSupplierFile } from '../../src/pipeline/parse-file.ts';
import { previewPurchaseOrders } from '../../src/pipeline/preview.ts';
import { checkEdifact } from '../helpers/edifact-d96a-check.ts';
import { desadv, edifactInterchange } from '../helpers/edifact-files.ts';
import { sampleOrder } from '../helpers/hub.ts';
import { writeMappingDir } from '../helpers/mappings.ts';

const mapping = {
  supplier: 'euro',
  name: 'Euro Toys',
  skus: { prefixes: ['EURO-'] },
  transport: { type: 'http', url: 'https://euro.example/orders' },
  outbound: { format: 'edifact-orders', filename: 'ORDERS_{poNumber}.edi', edifact: { syntax: 'UNOA', senderId: 'DROPHUB', receiverId: 'EUROTOYS' }, poNumber: '$uppercase(order.orderNumber)' },
  inbound: { files: [{ match: 'DESADV_*.edi', format: 'edifact', trackingFrom: ['GIN+BN'] }] },
};
const dir = writeMappingDir(mapping);

describe('hub mappings preview (edifact-orders)', () => {
  it('gives the ORDERS bytes with the preview control references, and a warning per changed field', async () => {
    const order = sampleOrder({ orderNumber: 'ord-7', lines: [{ lineId: '1', sku: 'EURO-TRAIN-01', title: 'Zug für Kinder', quantity: 1, unitPrice: '24.50' }] });
    const [doc] = await previewPurchaseOrders(dir, 'euro', order);
    expect(doc!.filename).toBe('ORDERS_ORD-7.edi');
    expect(doc!.contentType).toBe('application/EDIFACT');
    const text = doc!.content.toString('latin1');
    expect(checkEdifact(doc!.content)).toEqual([]);
    expect(text).toContain("+999999999'");
    expect(text).toContain("IMD+F++:::ZUG FUR KINDER'"); // UNOA: upper-cased, the accent folded
    expect(doc!.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'lines.0.title' })]));
  });

  it('refuses an identifier the character set cannot carry, naming the field', async () => {
    await expect(previewPurchaseOrders(writeMappingDir({ ...mapping, outbound: { ...mapping.outbound, poNumber: undefined } }), 'euro', sampleOrder({ orderNumber: 'ord-7', lines: [{ lineId: '1', sku: 'EURO-TRAIN-01', quantity: 1, unitPrice: '1.00' }] }))).rejects.toThrow(/poNumber "ord-7" holds "o"/);
  });
});

describe('hub documents parse (edifact)', () => {
  const loaded = () => loadMappingFile(path.join(dir, 'euro.yaml'));
  const file = edifactInterchange({ senderId: 'EUROTOYS', recipientId: 'DROPHUB', reference: 5 }, [desadv('ORD-7', 'D-7', [{ supplierSku: 'EURO-TRAIN-01', quantity: 1 }], ['JJD0007'])]);

  it('streams a file its rule names and returns the items and the interchange read', async () => {
    const local = path.join(dir, 'DESADV_7.edi');
    writeFileSync(local, file);
    const parsed = await parseSupplierFile(await loaded(), 'DESADV_7.edi', local);
    expect(parsed.format).toBe('edifact');
    expect(parsed.items).toEqual([{ kind: 'shipment', shipment: expect.objectContaining({ poNumber: 'ORD-7', trackingNumbers: ['JJD0007'] }) }]);
    expect((parsed as unknown as { interchanges: unknown[] }).interchanges).toHaveLength(1);
  });

  it('recognises EDIFACT by its content when no rule matches, and names segment and position in an error', async () => {
    const local = path.join(dir, 'upload.txt');
    writeFileSync(local, file.replace("RFF+ON:ORD-7'", "RFF+XX:ORD-7'"));
    const error = await parseSupplierFile(await loaded(), 'upload.txt', local).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/^edifact: .*DESADV.*no RFF\+ON.*\(upload\.txt, segment \d+, line \d+, byte \d+\)/);
  });
});
