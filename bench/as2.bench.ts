/**
 * AS2 messages signed, encrypted, sent and MDN-verified per second by the hub's As2Transport,
 * against the independent OpenSSL peer (test/helpers/as2-peer.ts), beside the peer's own client
 * loop (OpenSSL `cms` for signing, encrypting and verifying the MDN; plain node:http) against the
 * same peer server. Same payloads (~1 KB 850s), same warm-up, one message in flight at a time; the
 * server's work (decrypt, verify, sign the MDN with OpenSSL) is in both figures.
 */
import { existsSync } from 'node:fs';
import { As2Transport as As2TransportSchema } from '../src/config/mapping-schema.ts';
import { As2Transport } from '../src/transports/as2/client.ts';
import type { OutboundFile } from '../src/transports/transport.ts';
import { OPENSSL, makeAs2Certificates, startAs2Peer } from '../test/helpers/as2-peer.ts';
import type { Benchmark, Figure } from './run.ts';

const COUNT = 60;
const WARM_UP = 5;

function purchaseOrders(prefix: string, count: number): OutboundFile[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(9, '0');
    const segments = [
      `ISA*00*          *00*          *ZZ*DROPHUB        *ZZ*ACMETOYS       *261126*1000*U*00401*${n}*0*P*>`,
      'GS*PO*DROPHUB*ACMETOYS*20261126*1000*1*X*004010',
      'ST*850*0001',
      `BEG*00*DS*${prefix}${i}**20261126`,
      'N1*ST*Ada Lovelace',
      'N3*12 Main St*Apt 4',
      'N4*Springfield*IL*62701*US',
      ...Array.from({ length: 8 }, (_, l) => `PO1*${l + 1}*2*EA*19.99**VP*ACME-TRUCK-0${l}`),
      'CTT*8',
      'SE*16*0001',
      'GE*1*1',
      `IEA*1*${n}`,
    ];
    return {
      filename: `PO_${prefix}${i}.edi`,
      content: Buffer.from(`${segments.join('~\n')}~\n`),
      contentType: 'application/edi-x12',
      documentId: `doc_${Buffer.from(`${prefix}${i}`).toString('hex').padEnd(32, '0').slice(0, 32)}`,
    };
  });
}

const bench: Benchmark = {
  name: 'as2',
  requires: () => (existsSync(OPENSSL) ? undefined : `${OPENSSL} not found (apt-get install openssl)`),
  async run(): Promise<Figure[]> {
    const certs = await makeAs2Certificates();
    const server = await startAs2Peer({ certs, as2Id: 'ACME', hubId: 'DROPHUB' });
    // The peer's own client: the hub's side of the partnership played by OpenSSL (certificates swapped).
    const client = await startAs2Peer({ certs: { ...certs, hub: certs.partner, partner: certs.hub }, as2Id: 'DROPHUB', hubId: 'ACME' });
    const transport = new As2Transport(
      'acme',
      As2TransportSchema.parse({
        type: 'as2',
        url: server.url,
        as2From: 'DROPHUB',
        as2To: 'ACME',
        partnerCertificate: certs.partner.cert,
        certificate: certs.hub.cert,
        privateKey: certs.hub.key,
      }),
    );
    try {
      const hubFiles = purchaseOrders('H', WARM_UP + COUNT);
      const peerFiles = purchaseOrders('P', WARM_UP + COUNT);
      const viaHub = async (files: OutboundFile[]) => {
        for (const file of files) {
          const receipt = await transport.deliver(file);
          if (!receipt.as2?.disposition?.endsWith('processed')) throw new Error(`unexpected MDN ${receipt.as2?.disposition}`);
        }
      };
      const viaPeer = async (files: OutboundFile[]) => {
        for (const file of files) {
          const answer = await client.send({ url: server.url, content: file.content, filename: file.filename, as2From: 'DROPHUB', as2To: 'ACME' });
          if (!answer.mdn?.verified || answer.mdn.disposition !== 'processed' || answer.mdn.mic !== answer.mic) throw new Error(`peer loop: bad MDN ${JSON.stringify(answer.mdn)}`);
        }
      };
      await viaHub(hubFiles.slice(0, WARM_UP));
      await viaPeer(peerFiles.slice(0, WARM_UP));
      // Alternate halves so that a noisy neighbour on the machine weighs on both alike.
      let hubMs = 0;
      let peerMs = 0;
      const half = COUNT / 2;
      for (const [from, to] of [[WARM_UP, WARM_UP + half], [WARM_UP + half, WARM_UP + COUNT]] as const) {
        let started = performance.now();
        await viaHub(hubFiles.slice(from, to));
        hubMs += performance.now() - started;
        started = performance.now();
        await viaPeer(peerFiles.slice(from, to));
        peerMs += performance.now() - started;
      }
      const hubRate = (COUNT * 1000) / hubMs;
      const peerRate = (COUNT * 1000) / peerMs;
      return [
        { bench: 'as2', metric: 'messages signed+encrypted+sent+MDN verified', value: hubRate, unit: 'msg/s', peer: { name: 'openssl cms client loop', value: peerRate } },
        { bench: 'as2', metric: 'mean time per message (hub)', value: hubMs / COUNT, unit: 'ms', peer: { name: 'openssl cms client loop', value: peerMs / COUNT } },
      ];
    } finally {
      await transport.close();
      await client.close();
      await server.close();
      certs.remove();
    }
  },
};

export default bench;
