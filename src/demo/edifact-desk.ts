/**
 * The EDI team of the demo's EDIFACT supplier (Hanse Spielwaren, mappings/hanse.yaml): it watches
 * the folder where the hub drops ORDERS on its sandbox SFTP server and writes back what a European
 * supplier's translator would: an ORDRSP (asking for a CONTRL, UNB 0031 = 1) and, a moment later,
 * a DESADV with the parcel's tracking number on GIN+BN. The hub's CONTRLs land in the same folder:
 * the desk notes which interchange each one accepts.
 */
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { readEdifact } from '../formats/edifact/index.ts';
import type { SupplierActivity, SupplierProfile } from './suppliers.ts';

interface ReceivedOrders {
  poNumber: string;
  cancel: boolean;
  /** UNB S002: who sent it (the hub), to address the answers to. */
  hub: { id: string; qualifier: string };
  lines: { supplierSku: string; quantity: number }[];
}

let reference = 7100;

export class EdifactDesk {
  private readonly seen = new Set<string>();
  private shipments = 0;
  private readonly outbound: string;
  private readonly inbound: string;
  private readonly me: { id: string; qualifier: string };

  constructor(
    root: string,
    private readonly loaded: LoadedMapping,
    private readonly profile: SupplierProfile,
    private readonly later: (ms: number, fn: () => Promise<void>) => void,
    private readonly activity: SupplierActivity,
    private readonly count: () => void,
  ) {
    const t = loaded.mapping.transport;
    const edifact = loaded.mapping.outbound.edifact;
    if (t.type !== 'sftp' || !t.inboundDir || !edifact) throw new Error(`${loaded.supplier} is not an EDIFACT supplier on SFTP with an inbound folder`);
    this.outbound = path.join(root, ...t.outboundDir.split('/').filter(Boolean));
    this.inbound = path.join(root, ...t.inboundDir.split('/').filter(Boolean));
    this.me = { id: edifact.receiverId, qualifier: edifact.receiverQualifier ?? '' };
  }

  async tick(): Promise<void> {
    const names = await readdir(this.outbound).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (this.seen.has(name) || name.startsWith('.') || name.endsWith('.part')) continue;
      this.seen.add(name);
      const content = await readFile(path.join(this.outbound, name));
      const contrl = readContrl(content);
      if (contrl) {
        this.activity(this.loaded.supplier, `picked up ${name} (CONTRL: our interchange ${contrl.reference} ${contrl.accepted ? 'accepted' : 'rejected'})`);
        continue;
      }
      const po = readOrders(content);
      if (!po) continue;
      this.count();
      this.activity(this.loaded.supplier, `picked up ${name} (ORDERS ${po.poNumber}, ${po.lines.length} line${po.lines.length === 1 ? '' : 's'})`);
      if (po.cancel) continue;
      this.later(800, async () => {
        const file = `ORDRSP_${++reference}.edi`;
        await this.drop(file, this.interchange(po, reference, true, 'ORDRSP', [
          `BGM+231+RSP-${po.poNumber}+29`,
          `DTM+137:${today()}:102`,
          `RFF+ON:${po.poNumber}`,
          ...po.lines.flatMap((l, i) => [`LIN+${i + 1}+5`, `PIA+5+${l.supplierSku}:SA`, `QTY+21:${l.quantity}`, `QTY+113:${l.quantity}`]),
        ]));
        this.activity(this.loaded.supplier, `wrote ${file} (ORDRSP: accepted, a CONTRL requested)`);
      });
      this.later(2000, async () => {
        const tracking = this.profile.tracking(++this.shipments);
        const file = `DESADV_${++reference}.edi`;
        const { carrier } = this.profile;
        await this.drop(file, this.interchange(po, reference, false, 'DESADV', [
          `BGM+351+DES${reference}+9`,
          `DTM+11:${today()}:102`,
          `RFF+ON:${po.poNumber}`,
          `TDT+20+++:${carrier.service}+${carrier.scac}::182:${carrier.name}`,
          'CPS+1',
          'PAC+1++CT',
          `GIN+BN+${tracking}`,
          ...po.lines.flatMap((l, i) => [`LIN+${i + 1}`, `PIA+5+${l.supplierSku}:SA`, `QTY+12:${l.quantity}`]),
        ]));
        this.activity(this.loaded.supplier, `wrote ${file} (DESADV: ${carrier.name} ${tracking})`);
      });
    }
  }

  /** One interchange from us to the hub, UNOC, the default service characters. */
  private interchange(po: ReceivedOrders, ref: number, askContrl: boolean, type: string, body: string[]): string {
    const party = (p: { id: string; qualifier: string }) => (p.qualifier ? `${p.id}:${p.qualifier}` : p.id);
    const now = new Date().toISOString();
    const segments = [
      `UNB+UNOC:3+${party(this.me)}+${party(po.hub)}+${now.slice(2, 10).replace(/-/g, '')}:${now.slice(11, 16).replace(':', '')}+${ref}${askContrl ? '++++1' : ''}`,
      `UNH+1+${type}:D:96A:UN`,
      ...body,
      `UNT+${body.length + 2}+1`,
      `UNZ+1+${ref}`,
    ];
    return `UNA:+.? '${segments.map((s) => `${s}'\n`).join('')}`;
  }

  /** A hidden temp name, then a rename: the hub never lists a half-written file. */
  private async drop(name: string, content: string): Promise<void> {
    const temp = path.join(this.inbound, `.${name}.part`);
    await writeFile(temp, content, 'latin1');
    await rename(temp, path.join(this.inbound, name));
  }
}

/** The supplier's side: an ORDERS interchange → what it orders; anything else (a CONTRL) → undefined. */
function readOrders(bytes: Buffer): ReceivedOrders | undefined {
  let file;
  try {
    file = readEdifact(bytes);
  } catch {
    return undefined;
  }
  const message = file.messages.find((m) => m.type === 'ORDERS');
  if (!message) return undefined;
  const bgm = message.segments.find((s) => s.tag === 'BGM');
  const lines: ReceivedOrders['lines'] = [];
  for (const seg of message.segments) {
    if (seg.tag === 'LIN') lines.push({ supplierSku: '', quantity: 0 });
    const line = lines[lines.length - 1];
    if (!line) continue;
    if (seg.tag === 'PIA') line.supplierSku = seg.elements.slice(1).find((c) => c[1] === 'SA')?.[0] ?? line.supplierSku;
    if (seg.tag === 'QTY' && seg.elements[0]?.[0] === '21') line.quantity = Number(seg.elements[0][1]);
  }
  const header = message.interchange;
  return {
    poNumber: bgm?.elements[1]?.[0] ?? '',
    cancel: bgm?.elements[2]?.[0] === '1',
    hub: { id: header.senderId, qualifier: header.senderQualifier },
    lines,
  };
}

/** The hub's CONTRL: which of our interchanges it answers (UCI 0020), and how (UCI 0083: 7 accepted). */
function readContrl(bytes: Buffer): { reference: string; accepted: boolean } | undefined {
  try {
    const uci = readEdifact(bytes).messages.find((m) => m.type === 'CONTRL')?.segments.find((s) => s.tag === 'UCI');
    return uci ? { reference: uci.elements[0]?.[0] ?? '', accepted: uci.elements[3]?.[0] === '7' } : undefined;
  } catch {
    return undefined;
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10).replace(/-/g, '');
}
