/**
 * Security: file names against a real OpenSSH server. Names with `../`, absolute paths, NUL,
 * backslashes and very long names are refused by the SFTP transport before anything is sent, in
 * every direction (deliver, download, move); a hostile listing (symlinks to /etc/passwd, names that
 * climb) is skipped; a file name rendered from order data is always a plain base name.
 */
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurchaseOrder } from '../../src/canonical/purchase-order.ts';
import { TransportError } from '../../src/errors.ts';
import { renderFilename } from '../../src/formats/outbound.ts';
import { SftpTransport } from '../../src/transports/sftp-transport.ts';
import { startSftpServer, type SftpPeer } from '../helpers/sftp-server.ts';

let peer: SftpPeer;
let transport: SftpTransport;
/** Everything below the temp folder that holds the served root, to see nothing lands outside. */
let outside: () => string[];

beforeAll(async () => {
  peer = await startSftpServer();
  mkdirSync(path.join(peer.root, 'in'), { recursive: true });
  mkdirSync(path.join(peer.root, 'out', 'processed'), { recursive: true });
  transport = new SftpTransport('acme', peer.transportConfig({ outboundDir: 'in', inboundDir: 'out', processedDir: 'out/processed', createDirs: false }));
  const parent = path.dirname(peer.root);
  outside = () => [...readdirSync(parent).map((n) => `tmp:${n}`), ...readdirSync(peer.root).map((n) => `root:${n}`), ...readdirSync('/').map((n) => `/:${n}`)].sort();
});
afterAll(async () => {
  await transport?.close();
  await peer?.close();
});

async function refusal(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

const HOSTILE = [
  '../escape.edi',
  '../../../../../../tmp/escape.edi',
  '/etc/cron.d/hub-escape',
  '/abs.edi',
  'sub/../../escape.edi',
  '..\\..\\escape.edi',
  'nul\0byte.edi',
  'ok.edi\0/../../escape',
  '..',
  '.',
  '',
];

describe('SFTP transport: hostile file names', () => {
  it.each(HOSTILE.map((n) => [JSON.stringify(n), n]))('deliver(%s) is refused before anything is sent', async (_label, name) => {
    const before = outside();
    const logins = peer.logins();
    const error = await refusal(transport.deliver({ filename: name, content: Buffer.from('x'), contentType: 'text/plain', documentId: 'doc_1' }));
    expect(error.code).toBe('transport_rejected');
    expect(error.retryable).toBe(false);
    expect(peer.logins()).toBe(logins);
    expect(outside()).toEqual(before);
    expect(readdirSync(path.join(peer.root, 'in'))).toEqual([]);
  });

  it.each(HOSTILE.map((n) => [JSON.stringify(n), n]))('download(%s) and moveInbound(%s) are refused', async (_label, name) => {
    expect((await refusal(transport.download(name, 1024))).code).toBe('transport_rejected');
    expect((await refusal(transport.moveInbound(name, 'processed'))).code).toBe('transport_rejected');
    expect((await refusal(transport.moveInbound(name, 'failed'))).code).toBe('transport_rejected');
  });

  it('a very long name is refused (by us or the server), never truncated into another file', async () => {
    const before = outside();
    const name = `${'A'.repeat(10_000)}.edi`;
    await refusal(transport.deliver({ filename: name, content: Buffer.from('x'), contentType: 'text/plain', documentId: 'doc_2' }));
    expect(readdirSync(path.join(peer.root, 'in')).filter((f) => !f.startsWith('.'))).toEqual([]);
    expect(outside()).toEqual(before);
    await refusal(transport.download(name, 1024));
  });

  it('a hostile listing is skipped: symlinks out of the folder, climbing and backslash names', async () => {
    const out = path.join(peer.root, 'out');
    symlinkSync('/etc/passwd', path.join(out, 'passwd.856'));
    symlinkSync('/etc', path.join(out, 'etc.856'));
    writeFileSync(path.join(out, '..climb.856'), 'x');
    writeFileSync(path.join(out, 'back\\slash.856'), 'x');
    writeFileSync(path.join(out, `${'L'.repeat(200)}.856`), 'fine');
    const listed = (await transport.listInbound()).map((f) => f.name);
    expect(listed).toEqual([`${'L'.repeat(200)}.856`]);
  });
});

describe('outbound file names rendered from order data', () => {
  const po = (orderNumber: string, poNumber = orderNumber): PurchaseOrder => ({
    poNumber, purpose: 'original', supplierId: 'acme', orderId: 'ord_1', orderNumber, externalId: 'x', retailer: { id: 'r', name: 'r' },
    placedAt: '2026-11-26T10:00:00Z', createdAt: '2026-11-26T10:00:00Z', currency: 'USD', customer: { name: 'n' },
    shipTo: { name: 'n', address1: 'a', city: 'c', country: 'US' }, shipping: {}, lines: [], total: '0',
  });

  it.each(['../../../etc/passwd', '/etc/passwd', '..\\..\\win.ini', 'a\0b', '....//....//x', '.hidden', ' ../x', 'x'.repeat(5000), 'C:\\x', 'a:b*c?"<>|'])(
    'an order number of %j gives a plain base name the transport accepts',
    async (hostile) => {
      for (const template of ['PO_{orderNumber}.edi', '{poNumber}', '{orderNumber}/{poNumber}.csv', '../{poNumber}']) {
        const name = renderFilename(template, 'acme', po(hostile), { isa13: 1, gs06: 1, st02: 1 });
        expect(name).not.toMatch(/[/\\\0]|\.\./);
        expect(name.startsWith('.')).toBe(false);
        expect(name.length).toBeLessThanOrEqual(200);
      }
      const name = renderFilename('PO_{orderNumber}.edi', 'acme', po(hostile), undefined);
      await transport.deliver({ filename: name, content: Buffer.from('x'), contentType: 'text/plain', documentId: 'doc_3' });
      expect(readdirSync(path.join(peer.root, 'in'))).toContain(name);
    },
  );

  const BIDI = ['\u202e', '\u202a', '\u202b', '\u202c', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'];
  it.each([
    ['a right-to-left override (shows as 1001exe.pdf)', '1001\u202efdp.exe'],
    ['every bidirectional control', `A${BIDI.join('B')}C`],
    ['zero-width and line separator characters', 'A\u200bB\ufeffC\u2028D'],
    ['command substitution', '$(rm -rf ~)'],
    ['back-quotes', '`id`'],
    ['command separators', "a;b|c&d>e<f"],
    ['quotes, globs and braces', `a'b"c*d?e[f]g{h}i!j~k#l^m`],
    ['white space', 'A B\tC'],
    ['a leading option dash', '-rf'],
  ])('an order number holding %s gives a name without it; the PO and order numbers are not changed', async (_what, hostile) => {
    const original = po(hostile);
    const copy = structuredClone(original);
    for (const template of ['PO_{orderNumber}.edi', '{poNumber}.csv', '{orderNumber}']) {
      const name = renderFilename(template, 'acme', original, undefined);
      expect(name, JSON.stringify(name)).not.toMatch(/[\p{Cf}\u2028\u2029]/u);
      expect(name, JSON.stringify(name)).not.toMatch(/[\s`$&;|<>(){}[\]!*?'"~#^]/);
      expect(name.startsWith('-')).toBe(false);
      expect(name.replace(/[^A-Za-z0-9]/g, '')).not.toBe('');
    }
    expect(original).toEqual(copy);
    const name = renderFilename('PO_{orderNumber}.edi', 'acme', original, undefined);
    await transport.deliver({ filename: name, content: Buffer.from('x'), contentType: 'text/plain', documentId: 'doc_4' });
    expect(readdirSync(path.join(peer.root, 'in'))).toContain(name);
  });

  it('keeps the template\'s own spaces and the letters around a stripped character', () => {
    expect(renderFilename('PO {orderNumber}.edi', 'acme', po('10\u202e01'), undefined)).toBe('PO 1001.edi');
    expect(renderFilename('PO_{orderNumber}.edi', 'acme', po('A;B'), undefined)).toBe('PO_A_B.edi');
  });
});
