/**
 * The demo's mailbox supplier (Wonka): a supplier with no server of its own, played here by a
 * client of the hub's SFTP mailbox, as its EDI clerk's script would be. It logs in with its key
 * (ssh2's client, the hub's host key pinned by fingerprint), looks in `from-hub/` for new POs,
 * downloads them, and drops its 997 and 856 in `to-hub/` the careful way: a `.part` name, then a
 * rename to the final name, which is when the hub applies it.
 */
import SftpClient from 'ssh2-sftp-client';
import type { LoadedMapping } from '../config/mapping-loader.ts';
import { matchInboundFile } from '../formats/inbound.ts';
import { fingerprintsMatch, sshFingerprint } from '../transports/host-key.ts';
import { functionalAck997, read850, shipNotice856, type ReceivedPo } from './supplier-files.ts';
import type { SupplierActivity, SupplierProfile } from './suppliers.ts';

export interface MailboxDeskOptions {
  mailbox: { host: string; port: number; fingerprint: string };
  privateKey: string;
  loaded: LoadedMapping;
  profile: SupplierProfile;
  activity: SupplierActivity;
  later: (ms: number, fn: () => Promise<void>) => void;
  /** Called once per PO picked up. */
  count: () => void;
}

let controlNumber = 6000;

export function startMailboxDesk(options: MailboxDeskOptions): { close(): Promise<void> } {
  const { loaded, profile, activity, later } = options;
  const supplier = loaded.supplier;
  const seen = new Set<string>();
  let shipments = 0;
  let client: SftpClient | undefined;
  let connecting: Promise<SftpClient> | undefined;
  let closed = false;
  let busy = false;

  const connect = (): Promise<SftpClient> => {
    connecting ??= (async () => {
      const next = new SftpClient(`demo-${supplier}`, { error: () => undefined, end: () => undefined, close: () => undefined });
      await next.connect({
        host: options.mailbox.host,
        port: options.mailbox.port,
        username: supplier,
        privateKey: options.privateKey,
        hostVerifier: (key: Buffer) => fingerprintsMatch(sshFingerprint(key), options.mailbox.fingerprint),
        readyTimeout: 10_000,
      });
      client = next;
      activity(supplier, `logged in to the hub's mailbox (host key ${options.mailbox.fingerprint.slice(0, 19)}… pinned)`);
      return next;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  /** Uploads under a temporary name, then renames: the hub applies the file at the rename. */
  const drop = async (name: string, content: string): Promise<void> => {
    const sftp = client ?? (await connect());
    await sftp.put(Buffer.from(content), `/to-hub/${name}.part`);
    await sftp.rename(`/to-hub/${name}.part`, `/to-hub/${name}`);
  };

  const reads = (name: string) => matchInboundFile(loaded.mapping.inbound, name) !== undefined;

  const answer = (po: ReceivedPo): void => {
    if (reads('x.997')) {
      later(300, async () => {
        const name = `${String(++controlNumber).padStart(6, '0')}_${po.poNumber}.997`;
        await drop(name, functionalAck997(po, controlNumber));
        activity(supplier, `dropped to-hub/${name} (997: PO group ${po.x12!.groupControlNumber} accepted)`);
      });
    }
    if (po.purpose === 'cancel') return;
    later(1500, async () => {
      const name = `${String(++controlNumber).padStart(6, '0')}_${po.poNumber}.856`;
      const parcel = { trackingNumber: profile.tracking(++shipments), lines: po.lines };
      const trackingAt = loaded.mapping.inbound.trackingFrom[0];
      await drop(name, shipNotice856(po, controlNumber, `SHP${controlNumber}`, profile.carrier, [parcel], trackingAt));
      activity(supplier, `dropped to-hub/${name} (856: ${profile.carrier.scac} ${parcel.trackingNumber})`);
    });
  };

  const tick = async (): Promise<void> => {
    const sftp = client ?? (await connect());
    for (const entry of await sftp.list('/from-hub')) {
      if (seen.has(entry.name) || entry.type !== '-') continue;
      seen.add(entry.name);
      const content = ((await sftp.get(`/from-hub/${entry.name}`)) as Buffer).toString('utf8');
      const po = read850(content);
      if (!po) continue; // the hub's 997s for our files land here too
      options.count();
      activity(supplier, `downloaded from-hub/${entry.name} (PO ${po.poNumber}, ${po.lines.length} line${po.lines.length === 1 ? '' : 's'})`);
      answer(po);
    }
  };

  const interval = setInterval(() => {
    if (busy || closed) return;
    busy = true;
    tick()
      .catch((error: Error) => {
        activity(supplier, `error: ${error.message}`);
        void client?.end().catch(() => undefined);
        client = undefined;
      })
      .finally(() => {
        busy = false;
      });
  }, 500);

  return {
    async close() {
      closed = true;
      clearInterval(interval);
      await client?.end().catch(() => undefined);
    },
  };
}
