/**
 * The chaos run's suppliers: their mapping files (written as an integrator would, secrets and the
 * pinned host key through `${ENV}`), and a simulator that plays each supplier's EDI desk straight
 * on the SFTP server's disk: for every purchase order the hub uploads it answers with a 997 (X12
 * suppliers) and one or two ship notices / tracking files (partial shipments split the quantities
 * over two files with different tracking numbers), written under a temp name and renamed, as a
 * real SFTP client would.
 *
 * Three suppliers, so that orders split and both X12 versions and a non-EDI format are exercised:
 * - `acme`   X12 004010 850 out; 997 + 856 back (tracking in MAN*CP)
 * - `globex` X12 005010 850 out, upper-case data, its own PO numbers ("GX…"); 997 + 856 back
 * - `bolt`   CSV purchase order out; tracking CSV back (no 997)
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyYaml } from 'yaml';
import { functionalAck, shipNotice } from '../../test/helpers/supplier-files.ts';

export type SupplierFormat = 'x12' | 'csv';

export interface SupplierSpec {
  id: string;
  format: SupplierFormat;
  /** X12 suppliers: their interchange id (ISA06 of their files, ISA08 of ours). */
  x12Id?: string;
  version?: '004010' | '005010';
  skus: string[];
  /** How their PO files are named (a prefix the simulator recognises; the hub's 997s are `997_…`). */
  poPrefix: string;
}

export const SUPPLIERS: SupplierSpec[] = [
  { id: 'acme', format: 'x12', x12Id: 'ACMETOYS', version: '004010', skus: ['ACME-TRUCK-01', 'ACME-BLOCKS-02', 'ACME-KITE-03'], poPrefix: 'PO_' },
  { id: 'globex', format: 'x12', x12Id: 'GLOBEX', version: '005010', skus: ['GLX-100', 'GLX-200'], poPrefix: 'GX_' },
  { id: 'bolt', format: 'csv', skus: ['BOLT-HAMMER', 'BOLT-NAILS-100'], poPrefix: 'bolt_' },
];

/** The folders of a supplier on the SFTP server, relative to the session's start folder. */
export function folders(supplier: string) {
  return { outbound: `${supplier}/in`, inbound: `${supplier}/out`, processed: `${supplier}/out/processed`, failed: `${supplier}/out/failed` };
}

/** Writes one mapping file per supplier into `dir`. Host, port, user, key and host key come from CHAOS_SFTP_* variables. */
export function writeMappings(dir: string, options: { scheduleSeconds: number }): void {
  mkdirSync(dir, { recursive: true });
  const schedule = `*/${options.scheduleSeconds} * * * * *`;
  for (const s of SUPPLIERS) {
    const f = folders(s.id);
    const transport = {
      type: 'sftp',
      host: '${CHAOS_SFTP_HOST}',
      port: '${CHAOS_SFTP_PORT}',
      username: '${CHAOS_SFTP_USER}',
      privateKey: '${CHAOS_SFTP_KEY_FILE}',
      hostKey: '${CHAOS_SFTP_HOST_KEY}',
      outboundDir: f.outbound,
      inboundDir: f.inbound,
      processedDir: f.processed,
      failedDir: f.failed,
      createDirs: true,
      timeoutMs: 5_000,
      // Outages here last seconds: keep retrying quickly, and long enough never to dead-letter.
      retry: { maxAttempts: 100, baseDelayMs: 250, maxDelayMs: 3_000 },
    };
    let mapping: Record<string, unknown>;
    if (s.format === 'x12') {
      mapping = {
        supplier: s.id,
        name: `${s.id} (chaos)`,
        skus: s.id === 'globex' ? { list: s.skus } : { prefixes: [s.skus[0]!.split('-')[0] + '-'] },
        transport,
        outbound: {
          format: 'x12-850',
          filename: `${s.poPrefix}{poNumber}.edi`,
          ...(s.id === 'globex' ? { poNumber: "'GX' & $replace(orderNumber, /[^0-9A-Za-z]/, '')" } : {}),
          x12: {
            version: s.version,
            senderQualifier: 'ZZ',
            senderId: 'DROPHUB',
            receiverQualifier: 'ZZ',
            receiverId: s.x12Id,
            usage: 'P',
            ...(s.id === 'globex' ? { upperCase: true } : {}),
          },
        },
        inbound: {
          schedule,
          files: [
            { match: '*.997', format: 'x12' },
            { match: '*.856', format: 'x12' },
          ],
          trackingFrom: ['MAN*CP', 'REF*CN'],
        },
      };
    } else {
      mapping = {
        supplier: s.id,
        name: `${s.id} (chaos)`,
        skus: { prefixes: ['BOLT-'] },
        transport,
        outbound: {
          format: 'csv',
          filename: `${s.poPrefix}{poNumber}.csv`,
          columns: {
            'PO Number': '$po.poNumber',
            Line: 'lineNumber',
            Item: 'supplierSku',
            SKU: 'sku',
            Qty: 'quantity',
            'Ship To Name': '$po.shipTo.name',
            Zip: '$po.shipTo.postalCode',
          },
        },
        inbound: {
          schedule,
          files: [
            {
              match: 'tracking_*.csv',
              format: 'csv',
              columns: { poNumber: 'PO', sku: 'SKU', quantity: 'Qty', carrier: 'Carrier', trackingNumber: 'Tracking', shippedAt: 'Ship Date' },
            },
          ],
        },
      };
    }
    writeFileSync(path.join(dir, `${s.id}.yaml`), `# written by bench/chaos (a throw-away mapping)\n${stringifyYaml(mapping)}`);
  }
}

// ---- reading the hub's files ------------------------------------------------------------------

export interface X12File {
  isa13: number;
  gs01: string;
  gs06: number;
  segments: string[][];
}

/** Splits an interchange with the delimiters its ISA declares. */
export function parseX12(text: string): X12File {
  if (!text.startsWith('ISA') || text.length < 106) throw new Error('not an X12 interchange');
  const element = text[3]!;
  const terminator = text[105]!;
  const segments = text
    .split(terminator)
    .map((s) => s.replace(/^[\r\n]+/, '').trim())
    .filter(Boolean)
    .map((s) => s.split(element));
  const isa = segments.find((s) => s[0] === 'ISA');
  const gs = segments.find((s) => s[0] === 'GS');
  if (!isa || !gs) throw new Error('no ISA/GS');
  return { isa13: Number(isa[13]), gs01: gs[1]!, gs06: Number(gs[6]), segments };
}

export interface PoLine {
  lineNumber: number;
  sku: string;
  supplierSku: string;
  quantity: number;
}

export interface ReadPo {
  poNumber: string;
  lines: PoLine[];
  isa13?: number;
  gs06?: number;
  purpose: 'original' | 'cancel';
}

/** What the supplier reads out of one of the hub's PO files. */
export function readPurchaseOrder(spec: SupplierSpec, content: string): ReadPo {
  if (spec.format === 'x12') {
    const x12 = parseX12(content);
    const beg = x12.segments.find((s) => s[0] === 'BEG');
    if (!beg || x12.gs01 !== 'PO') throw new Error('not an 850');
    const lines: PoLine[] = [];
    for (const seg of x12.segments.filter((s) => s[0] === 'PO1')) {
      const ids: Record<string, string> = {};
      for (let i = 6; i + 1 < seg.length; i += 2) if (seg[i]) ids[seg[i]!] = seg[i + 1]!;
      lines.push({ lineNumber: Number(seg[1]), quantity: Number(seg[2]), supplierSku: ids.VN ?? ids.SK ?? '', sku: ids.SK ?? ids.VN ?? '' });
    }
    return { poNumber: beg[3]!, lines, isa13: x12.isa13, gs06: x12.gs06, purpose: beg[1] === '01' ? 'cancel' : 'original' };
  }
  const rows = parseCsv(content, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  if (rows.length === 0) throw new Error('empty CSV purchase order');
  return {
    poNumber: rows[0]!['PO Number']!,
    lines: rows.map((r) => ({ lineNumber: Number(r.Line), sku: r.SKU!, supplierSku: r.Item!, quantity: Number(r.Qty) })),
    purpose: 'original',
  };
}

// ---- the simulator ----------------------------------------------------------------------------

export interface AnsweredPo {
  supplier: string;
  poNumber: string;
  file: string;
  isa13?: number;
  gs06?: number;
  lines: PoLine[];
  /** Every tracking number assigned to this PO, over all its shipment files. */
  tracking: string[];
  /** Shipment files (856s / tracking CSVs) written, with their tracking numbers and GS06 (X12). */
  shipments: { file: string; tracking: string[]; gs06?: number }[];
  partial: boolean;
}

interface PendingWrite {
  due: number;
  supplier: string;
  name: string;
  content: string;
  after?: () => void;
}

export interface SimulatorStats {
  posSeen: number;
  filesWritten: Record<string, number>;
  ninesSeven: number;
  shipmentFiles: number;
  partialPos: number;
  unreadable: string[];
}

/**
 * Plays the suppliers. `tick()` (called every few hundred ms) reads each outbound folder, answers new
 * PO files and writes the files that are due. State lives in this process only: the chaos run never
 * kills its own simulator.
 */
export class SupplierSimulator {
  readonly answered = new Map<string, AnsweredPo>(); // `${supplier}/${poNumber}`
  private readonly seenFiles = new Set<string>(); // `${supplier}/${file}`
  private readonly pending: PendingWrite[] = [];
  private readonly control = new Map<string, number>();
  private trackingSeq = 0;
  private fileSeq = 0;
  readonly stats: SimulatorStats = { posSeen: 0, filesWritten: {}, ninesSeven: 0, shipmentFiles: 0, partialPos: 0, unreadable: [] };

  constructor(
    private readonly root: string,
    private readonly random: () => number,
    private readonly runTag: string,
  ) {
    for (const s of SUPPLIERS) {
      const f = folders(s.id);
      for (const dir of [f.outbound, f.inbound, f.processed, f.failed]) mkdirSync(path.join(root, dir), { recursive: true });
      this.control.set(s.id, 7000 + Math.floor(random() * 1000));
    }
  }

  /** Writes still scheduled (the run is not over while some are). */
  get backlog(): number {
    return this.pending.length;
  }

  tick(now = Date.now()): void {
    for (const spec of SUPPLIERS) this.scan(spec, now);
    this.pending.sort((a, b) => a.due - b.due);
    while (this.pending.length && this.pending[0]!.due <= now) {
      const write = this.pending.shift()!;
      this.writeInbound(write.supplier, write.name, write.content);
      write.after?.();
    }
  }

  /** Flushes every scheduled write now (used when the run winds down). */
  flush(): void {
    this.tick(Number.POSITIVE_INFINITY);
  }

  private scan(spec: SupplierSpec, now: number): void {
    const dir = path.join(this.root, folders(spec.id).outbound);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(spec.poPrefix) || name.startsWith('.')) continue;
      const key = `${spec.id}/${name}`;
      if (this.seenFiles.has(key)) continue;
      let po: ReadPo;
      try {
        po = readPurchaseOrder(spec, readFileSync(path.join(dir, name), 'utf8'));
      } catch (error) {
        // The hub renames complete files into place, so an unreadable file is a finding, not a race.
        this.seenFiles.add(key);
        this.stats.unreadable.push(`${key}: ${(error as Error).message}`);
        continue;
      }
      this.seenFiles.add(key);
      const id = `${spec.id}/${po.poNumber}`;
      if (this.answered.has(id)) continue; // a second file for a PO: the checks report it
      this.stats.posSeen++;
      this.answer(spec, name, po, now);
    }
  }

  private nextControl(supplier: string): number {
    const n = this.control.get(supplier)! + 1;
    this.control.set(supplier, n);
    return n;
  }

  private trackingNumber(spec: SupplierSpec): string {
    const n = ++this.trackingSeq;
    return spec.format === 'x12' ? `1Z${this.runTag}${String(n).padStart(10, '0')}` : `7${String(n).padStart(11, '0')}`;
  }

  private answer(spec: SupplierSpec, file: string, po: ReadPo, now: number): void {
    const record: AnsweredPo = {
      supplier: spec.id,
      poNumber: po.poNumber,
      file,
      ...(po.isa13 !== undefined ? { isa13: po.isa13 } : {}),
      ...(po.gs06 !== undefined ? { gs06: po.gs06 } : {}),
      lines: po.lines,
      tracking: [],
      shipments: [],
      partial: false,
    };
    this.answered.set(`${spec.id}/${po.poNumber}`, record);
    const parties = (n: number) => ({ senderId: spec.x12Id!, receiverId: 'DROPHUB', controlNumber: n, version: spec.version! });
    let at = now + this.delay(50, 600);
    if (spec.format === 'x12') {
      const n = this.nextControl(spec.id);
      this.schedule({ due: at, supplier: spec.id, name: this.fileName(spec, '997'), content: functionalAck(parties(n), po.gs06!, 'A') });
      this.stats.ninesSeven++;
    }
    // One shipment, or (when there is more than one unit) a partial one and the rest.
    const total = po.lines.reduce((sum, l) => sum + l.quantity, 0);
    const partial = total > 1 && this.random() < 0.5;
    record.partial = partial;
    if (partial) this.stats.partialPos++;
    const parts: PoLine[][] = [];
    if (partial) {
      const first: PoLine[] = [];
      const second: PoLine[] = [];
      let firstUnits = 1 + Math.floor(this.random() * (total - 1)); // 1..total-1 units in the first
      for (const line of po.lines) {
        const take = Math.min(line.quantity, firstUnits);
        firstUnits -= take;
        if (take > 0) first.push({ ...line, quantity: take });
        if (line.quantity - take > 0) second.push({ ...line, quantity: line.quantity - take });
      }
      parts.push(first, second);
    } else {
      parts.push(po.lines);
    }
    for (const lines of parts) {
      at += this.delay(200, 2_000);
      // X12: now and then two cartons (two MAN*CP) in one 856; the CSV supplier ships one parcel a file.
      const packages = spec.format === 'x12' && !partial && this.random() < 0.2 ? 2 : 1;
      const tracking = Array.from({ length: packages }, () => this.trackingNumber(spec));
      record.tracking.push(...tracking);
      if (spec.format === 'x12') {
        const n = this.nextControl(spec.id);
        const name = this.fileName(spec, '856');
        const content = shipNotice(
          parties(n),
          `SHP${n}`,
          [{ poNumber: po.poNumber, items: lines.map((l) => ({ supplierSku: l.supplierSku, sku: l.sku, quantity: l.quantity })), tracking }],
          'UPSN',
        );
        record.shipments.push({ file: name, tracking, gs06: n });
        this.schedule({ due: at, supplier: spec.id, name, content });
      } else {
        const name = this.fileName(spec, 'csv');
        const rows = ['PO,SKU,Qty,Carrier,Tracking,Ship Date'];
        lines.forEach((l) => rows.push(`${po.poNumber},${l.sku},${l.quantity},FedEx,${tracking[0]},2026-11-27`));
        record.shipments.push({ file: name, tracking });
        this.schedule({ due: at, supplier: spec.id, name, content: `${rows.join('\r\n')}\r\n` });
      }
      this.stats.shipmentFiles++;
    }
  }

  private fileName(spec: SupplierSpec, kind: '997' | '856' | 'csv'): string {
    const seq = String(++this.fileSeq).padStart(6, '0');
    return kind === 'csv' ? `tracking_${seq}.csv` : `${spec.id}_${seq}.${kind}`;
  }

  private delay(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min));
  }

  private schedule(write: PendingWrite): void {
    this.pending.push(write);
  }

  private writeInbound(supplier: string, name: string, content: string): void {
    const dir = path.join(this.root, folders(supplier).inbound);
    const temp = path.join(dir, `.${name}.tmp`);
    writeFileSync(temp, content);
    renameSync(temp, path.join(dir, name));
    this.stats.filesWritten[supplier] = (this.stats.filesWritten[supplier] ?? 0) + 1;
  }
}
