import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { INBOUND_FORMATS, OUTBOUND_FORMATS } from '../formats/registry.ts';
import { X12Envelope } from '../formats/x12/config.ts';
import { checkRuleColumns } from '../formats/tracking-rule.ts';

export { INVENTORY_COLUMN_FIELDS, TRACKING_COLUMN_FIELDS } from '../formats/tracking-rule.ts';

/**
 * The mapping file (`mappings/<supplier>.yaml`): one per supplier. The keys of the contract are
 * fixed; the ones marked "extension" are the hub's own additions, documented in docs/mappings.md.
 * Values here are after `${ENV}` resolution. Expressions (`template`, `columns`, `fields`, ...)
 * are JSONata source strings, compiled once when the file is loaded (src/config/mapping-loader.ts).
 */

const Expression = z.string().min(1).describe('a JSONata expression over the purchase order');

export const SkuRules = z
  .strictObject({
    prefixes: z.array(z.string().min(1)).optional(),
    list: z.array(z.string().min(1)).optional(),
    /** A CSV beside the mapping file: `sku,supplierSku,cost` and optionally `priority`, `minQty`, `leadTimeDays`. */
    catalog: z.string().min(1).optional(),
  })
  .refine((s) => s.prefixes?.length || s.list?.length || s.catalog, {
    message: 'give at least one of prefixes, list or catalog',
  });

/** A duration such as "90s", "15m", "24h" or "2d". */
const Duration = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : 'write a duration such as "30s", "15m", "24h" or "2d"') })
  .regex(/^\d+(ms|s|m|h|d)$/, 'write a duration such as "30s", "15m", "24h" or "2d"');

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "24h" → 86400000. */
export function durationMs(duration: string): number {
  const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(duration) ?? [];
  if (amount === undefined || unit === undefined) throw new Error(`not a duration: ${duration}`);
  return Number(amount) * DURATION_UNITS_MS[unit]!;
}

const Retry = z
  .strictObject({
    /** Attempts before the document is dead-lettered (`failed`); unset: no limit, `for` decides. Extension. */
    maxAttempts: z.number().int().min(1).max(100_000).optional(),
    /** First back-off in ms; doubles each attempt, with jitter, capped at maxDelayMs. Extension. */
    baseDelayMs: z.number().int().min(0).max(3_600_000).default(2_000),
    maxDelayMs: z.number().int().min(0).max(86_400_000).default(600_000),
    /** How long a failing delivery is retried before it is given up and the retailer told. Extension. */
    for: Duration.default('24h'),
    /** After this long failing, the operator is alerted (log, metric, order timeline). Extension. */
    alertAfter: Duration.default('15m'),
  })
  .prefault({});

export const SftpTransport = z.strictObject({
  type: z.literal('sftp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  /** A path to a private key file. One of privateKey / password. */
  privateKey: z.string().min(1).optional(),
  passphrase: z.string().optional(),
  password: z.string().optional(),
  /** The server's host key fingerprint as `ssh-keygen -l` prints it: `SHA256:<base64>`. */
  hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a fingerprint such as "SHA256:abc…" (ssh-keygen -l)'),
  outboundDir: z.string().min(1),
  inboundDir: z.string().min(1).optional(),
  processedDir: z.string().min(1).optional(),
  /** Where unreadable inbound files are moved remotely. Extension. */
  failedDir: z.string().min(1).optional(),
  /** Create outboundDir/processedDir/failedDir when missing. Extension; default false. */
  createDirs: z.boolean().default(false),
  /** Connect / read timeout in ms. Extension. */
  timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
  /** Connections kept open to this supplier at most. Extension. */
  maxConnections: z.number().int().min(1).max(16).default(2),
  /**
   * Permissions of the files the hub uploads, as a quoted octal string ("0644", the default; "0640"
   * to keep them from other users). Never writable by others; always readable and writable by the
   * hub's user. Extension.
   */
  fileMode: z
    .string({ error: (issue) => (issue.input === undefined ? undefined : 'write the mode as a quoted octal string such as "0644"') })
    .regex(/^0?[0-7]{3}$/, 'write the mode as an octal string such as "0644" or "0640"')
    .refine((mode) => (parseInt(mode, 8) & 0o002) === 0, 'must not let other users write the file (the last digit cannot be 2, 3, 6 or 7)')
    .refine((mode) => (parseInt(mode, 8) & 0o600) === 0o600, 'must let the hub read and write its own file (the owner digit must be 6 or 7)')
    .default('0644'),
  retry: Retry,
});

export const HttpTransport = z.strictObject({
  type: z.literal('http'),
  url: z.url(),
  method: z.enum(['POST', 'PUT']).default('POST'),
  headers: z.record(z.string(), z.string()).default({}),
  auth: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('bearer'), token: z.string().min(1) }),
      z.strictObject({ type: z.literal('basic'), username: z.string().min(1), password: z.string() }),
      z.strictObject({
        type: z.literal('hmac'),
        secret: z.string().min(1),
        /** Header carrying `sha256=<hex>` of the body. */
        header: z.string().min(1).default('X-Hub-Signature-256'),
      }),
    ])
    .optional(),
  timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
  /** The token this supplier uses to push documents to POST /v1/suppliers/{id}/documents. */
  inboundToken: z.string().min(16).optional(),
  retry: Retry,
});

/** The SSH public key types the mailbox accepts (OpenSSH's `.pub` line: type, base64 blob, comment). */
export const MAILBOX_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;

/** True for `ssh-ed25519 AAAA… comment` whose blob names the same key type as the line. */
export function isPublicKeyLine(line: string): boolean {
  const [type, blob] = line.trim().split(/\s+/);
  if (!type || !blob || !(MAILBOX_KEY_TYPES as readonly string[]).includes(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return false;
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < 4) return false;
  const length = bytes.readUInt32BE(0);
  return length === type.length && bytes.subarray(4, 4 + length).toString('latin1') === type;
}

/** `hub mailbox hash-password` output: scrypt with its cost, salt and hash (PHC string format). */
export const PASSWORD_HASH = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{43}$/;

/**
 * A supplier with no server of its own: it logs in to the hub's SFTP mailbox (src/transports/mailbox/)
 * with its id as user name, picks up its POs from `from-hub/` and drops its files in `to-hub/`.
 * Extension keys besides `type` and `publicKeys`: docs/transports.md.
 */
export const MailboxTransport = z
  .strictObject({
    type: z.literal('mailbox'),
    /** OpenSSH public key lines allowed to log in (public keys are not secrets). */
    publicKeys: z
      .array(z.string().refine(isPublicKeyLine, 'must be an OpenSSH public key line such as "ssh-ed25519 AAAA… comment" (the .pub file)'))
      .max(20)
      .default([]),
    /** A scrypt hash (`hub mailbox hash-password`), given through `${NAME}`; never the password. Extension. */
    passwordHash: z
      .string()
      .regex(PASSWORD_HASH, 'must be a scrypt hash made by `hub mailbox hash-password` ("$scrypt$ln=…"), never the password itself')
      .optional(),
    /** What happens to a PO once the supplier has downloaded it whole. Extension. */
    afterDownload: z.enum(['keep', 'remove']).default('keep'),
    /** How long the files the supplier dropped stay listed in `to-hub/`. Extension. */
    keepReceivedDays: z.number().int().min(0).max(365).default(7),
    /** Extension: what one supplier may use of the mailbox. */
    limits: z
      .strictObject({
        /** The largest file it may upload (at most the hub's inbound limit, 64 MiB). */
        maxFileBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(10 * 1024 * 1024),
        /** Bytes it may upload in any 24 hours. */
        bytesPerDay: z.number().int().min(1).max(1024 ** 4).default(1024 ** 3),
        /** Its sessions open at once (per hub process). */
        sessions: z.number().int().min(1).max(64).default(4),
        /** SFTP requests per second over all its sessions (per hub process); more are delayed, not refused. */
        requestsPerSecond: z.number().int().min(1).max(100_000).default(500),
      })
      .prefault({}),
    retry: Retry,
  })
  .refine((t) => t.publicKeys.length > 0 || t.passwordHash !== undefined, {
    message: 'give at least one public key (or a passwordHash): the supplier has no other way to log in',
    path: ['publicKeys'],
  });


/** An AS2 id (RFC 4130 §6.2): 1 to 128 printable ASCII characters. */
const As2Id = z.string().regex(/^[\x20-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters').refine((id) => id.trim() === id, 'no leading or trailing spaces');
/** A path to a PEM file (given through `${VAR}`): never the PEM itself. */
const PemPath = z.string().min(1).refine((value) => !value.includes('-----BEGIN'), 'give the path of a PEM file (through ${VAR}), not the PEM itself');

export const As2Transport = z
  .strictObject({
    type: z.literal('as2'),
    /** The partner's AS2 endpoint. */
    url: z.url(),
    /** The hub's AS2 id (AS2-From on what the hub sends). */
    as2From: As2Id,
    /** The supplier's AS2 id. */
    as2To: As2Id,
    /** Path of the supplier's certificate (PEM): encrypts what the hub sends, verifies what it signs. */
    partnerCertificate: PemPath,
    /** Path of the hub's certificate (PEM) for this partnership. */
    certificate: PemPath,
    /** Path of the hub's private key (PEM). */
    privateKey: PemPath,
    /** Passphrase of an encrypted private key. Extension. */
    passphrase: z.string().optional(),
    /** MDN the hub asks for: in the HTTP answer (`sync`) or posted back later (`async`). Extension. */
    mdn: z.enum(['sync', 'async']).default('sync'),
    /** Where the partner posts asynchronous MDNs (Receipt-Delivery-Option): the hub's `/v1/as2`. Extension. */
    asyncMdnUrl: z.url().optional(),
    /** How long an asynchronous MDN may take before the message is sent again (same Message-ID). Extension. */
    asyncMdnTimeoutMs: z.number().int().min(1000).max(7 * 86_400_000).default(1_800_000),
    /** Signature digest (and MIC algorithm). Extension. */
    signing: z.enum(['sha256', 'sha384', 'sha512', 'sha1']).default('sha256'),
    /** Content encryption. Extension. */
    encryption: z.enum(['aes128-cbc', 'aes192-cbc', 'aes256-cbc']).default('aes256-cbc'),
    /** How the content key is wrapped for the partner's RSA key. Extension. */
    keyEncryption: z.enum(['rsa-pkcs1', 'rsa-oaep']).default('rsa-pkcs1'),
    /** The encrypted body as raw DER (`binary`) or base64 text. Extension. */
    transferEncoding: z.enum(['binary', 'base64']).default('binary'),
    /** Hosts besides the host of `url` that the partner's Receipt-Delivery-Option may name. Extension. */
    mdnHosts: z.array(z.string().min(1)).default([]),
    timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
    retry: Retry,
  })
  .superRefine((config, ctx) => {
    if (config.mdn === 'async' && !config.asyncMdnUrl) {
      ctx.addIssue({ code: 'custom', path: ['asyncMdnUrl'], message: "required with mdn: async (the hub's public URL of POST /v1/as2)" });
    }
  });

export const Transport = z.discriminatedUnion('type', [SftpTransport, HttpTransport, As2Transport, MailboxTransport]);

export { X12Envelope };

/** The placeholders a `filename` template may use (see docs/mappings.md). */
export const FILENAME_PLACEHOLDERS = ['poNumber', 'orderNumber', 'supplier', 'isa13', 'date', 'time', 'documentId', 'purpose'] as const;

/** An 850 element an override may set: `TD5.05`, or `N1*ST.02` for the N1 segment whose first element is ST. */
export const OVERRIDE_KEY = /^(BEG|CUR|REF|PER|DTM|TD5|N9|MSG|MTX|N1|N2|N3|N4|PO1|PID|CTT|AMT)(\*[A-Z0-9]{1,3})?\.(0[1-9]|[1-9][0-9])$/;

/**
 * Each format's own settings key under `outbound` (`x12`, `edifact`), from the registry: its schema,
 * optional here, required with its format and refused with the others.
 */
type FormatSettingsShape = {
  [F in (typeof OUTBOUND_FORMATS)[number] as F extends { settings?: { key: infer K extends string } } ? K : never]: z.ZodOptional<
    F extends { settings?: { schema: infer S extends z.ZodType } } ? S : never
  >;
};
const formatSettingsShape = Object.fromEntries(
  OUTBOUND_FORMATS.flatMap((f) => ('settings' in f && f.settings ? [[f.settings.key, f.settings.schema.optional()]] : [])),
) as unknown as FormatSettingsShape;

export const Outbound = z.strictObject({
  format: z.enum(OUTBOUND_FORMATS.map((f) => f.name) as [(typeof OUTBOUND_FORMATS)[number]['name'], ...(typeof OUTBOUND_FORMATS)[number]['name'][]]),
  /** File name template: `{poNumber}`, `{orderNumber}`, `{supplier}`, `{documentId}`, `{date}`. */
  filename: z.string().min(1),
  /** PO number template (JSONata). Default: the order number, with `-<supplier>` when the order splits. */
  poNumber: Expression.optional(),
  ...formatSettingsShape,
  /**
   * xml / json: a JSONata expression producing the document (an object) from the PO.
   * csv: not used (see `columns`).
   */
  template: Expression.optional(),
  /** csv: column header → JSONata expression over each line (with `$po` bound to the PO). */
  columns: z.record(z.string(), Expression).optional(),
  /** xml: the root element's name. */
  root: z.string().regex(/^[A-Za-z_][\w.-]*$/).optional(),
  /** xml/csv/json: the template used for a cancellation; default: the main template with purpose "cancel". */
  cancelTemplate: Expression.optional(),
  /** csv delimiter. */
  delimiter: z.string().length(1).default(','),
  /**
   * x12-850 per-element overrides: e.g. `{ "TD5.05": "'UPS GROUND'" }` (element → JSONata over the
   * PO; `$line` is bound for PO1/PID). A result of null/empty string removes the element. Extension.
   */
  overrides: z
    .record(
      z.string().regex(OVERRIDE_KEY, 'must name an 850 element such as "TD5.05" or "N1*ST.02"'),
      Expression,
    )
    .optional(),
}).superRefine((outbound, ctx) => {
  for (const match of outbound.filename.matchAll(/\{([^}]*)\}/g)) {
    if (!(FILENAME_PLACEHOLDERS as readonly string[]).includes(match[1] ?? '')) {
      ctx.addIssue({
        code: 'custom',
        path: ['filename'],
        message: `unknown placeholder {${match[1]}}; use ${FILENAME_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      });
    }
  }
  const values = outbound as unknown as Record<string, unknown> & { format: string; filename: string };
  for (const format of OUTBOUND_FORMATS) {
    const settings = 'settings' in format ? format.settings : undefined;
    if (format.name === outbound.format) {
      if (settings && values[settings.key] === undefined) ctx.addIssue({ code: 'custom', path: [settings.key], message: `required: ${settings.why}` });
      for (const issue of 'check' in format && format.check ? format.check(values) : []) ctx.addIssue({ code: 'custom', path: [issue.key], message: issue.message });
    } else if (settings && values[settings.key] !== undefined && !OUTBOUND_FORMATS.some((f) => f.name === outbound.format && 'settings' in f && f.settings?.key === settings.key)) {
      ctx.addIssue({ code: 'custom', path: [settings.key], message: `only read with format ${format.name}, not ${outbound.format}` });
    }
  }
});

/** The glob an inbound rule matches file names with (`*`, `?`). */
const InboundMatch = z.string().min(1);

/**
 * One inbound rule: `match`, `format` and the keys of that format (from the registry: CSV columns,
 * XML records and fields, EDIFACT's `trackingFrom`, `acknowledge`…).
 */
export type InboundFileConfig = {
  [F in (typeof INBOUND_FORMATS)[number] as F['name']]: { match: string; format: F['name'] } & z.output<F['rule']>;
}[(typeof INBOUND_FORMATS)[number]['name']];
type InboundFileInput = {
  [F in (typeof INBOUND_FORMATS)[number] as F['name']]: { match: string; format: F['name'] } & z.input<F['rule']>;
}[(typeof INBOUND_FORMATS)[number]['name']];

export const InboundFile = z.discriminatedUnion(
  'format',
  INBOUND_FORMATS.map((f) => z.strictObject({ match: InboundMatch, format: z.literal(f.name), ...f.rule.shape })) as unknown as [
    z.ZodObject<{ format: z.ZodLiteral<string> }>,
  ],
).superRefine((file, ctx) => checkRuleColumns(file as Parameters<typeof checkRuleColumns>[0], ctx)) as unknown as z.ZodType<InboundFileConfig, InboundFileInput>;

/**
 * Where an 856 carries tracking numbers: `REF*<qualifier>` (REF02 of a REF with that REF01) or
 * `MAN*<qualifier>` (MAN02/MAN05). `REF*BM` (bill of lading) takes only values recognised as a
 * carrier's tracking number; `MAN*GM` (an SSCC-18 label) is never one. Extension.
 */
export const TrackingLocations = z
  .array(
    z
      .string()
      .regex(/^(REF|MAN)\*[A-Z0-9]{2,3}$/, 'must be REF*<qualifier> or MAN*<qualifier>, such as "REF*CN", "REF*2I", "MAN*CP"')
      .refine((v) => v !== 'MAN*GM', 'MAN*GM is an SSCC-18 carton or pallet label, not a tracking number'),
  )
  .default(['REF*CN', 'REF*2I', 'MAN*CP']);

/**
 * How an inbound line (856 LIN, 855 PO1/ACK) is matched to a line of our PO, in order of preference:
 * `line` (the line number), `sku` (our SKU under SK, BP, IN, PI, CB), `supplierSku` (theirs under
 * VN, VP, VA, VC, MG), `upc` (UP, EN, UK, UA, UI, UN, N4), or one qualifier by name (`VN`, `ZZ`: a
 * qualifier the hub does not read is compared with the supplier SKU, then ours). Extension.
 */
export const LineMatch = z
  .array(z.string().regex(/^(line|sku|supplierSku|upc|[A-Z0-9]{2})$/, 'must be line, sku, supplierSku, upc or a product id qualifier such as VN'))
  .min(1)
  .default(['line', 'sku', 'supplierSku', 'upc']);

/**
 * A cron expression as `hub serve` schedules it (node-cron: five fields, or six with seconds first).
 * Checked here with node-cron's own parser, so that `hub mappings check` refuses exactly what the
 * scheduler would, in the same words, with the file and line.
 */
export const CronSchedule = z.string().min(1).superRefine((pattern, ctx) => {
  const { valid, errors } = validateDetailed(pattern);
  if (valid) return;
  const reasons = errors.map((e) => e.message.replace(/ is a invalid expression for /, ' is not a valid ')).join('; ');
  ctx.addIssue({
    code: 'custom',
    message: `"${pattern}" is not a cron schedule: ${reasons} (write minute hour day-of-month month day-of-week, e.g. "*/5 * * * *" for every five minutes)`,
  });
});

export const Inbound = z.strictObject({
  schedule: CronSchedule.default('*/5 * * * *'),
  files: z.array(InboundFile).default([]),
  /** Where in an 856 the tracking numbers are. Extension. */
  trackingFrom: TrackingLocations,
  /** How inbound lines are matched to PO lines, in order of preference. Extension. */
  lineMatch: LineMatch,
  /** Send a 997 for every inbound X12 group. Extension; default true. */
  send997: z.boolean().default(true),
  /** File name of the 997s we send. Extension. */
  ackFilename: z.string().min(1).default('997_{controlNumber}.edi'),
  /** File name of the TA1s we send (when a partner's ISA14 asks for one). Extension. */
  ta1Filename: z.string().min(1).default('TA1_{controlNumber}.edi'),
});

export const Expectations = z
  .strictObject({
    /** Hours after sending within which a 997 must arrive (X12 suppliers). */
    ack997Hours: z.number().positive().default(1),
    /** Hours within which an 855 must arrive; unset: this supplier sends none. */
    ack855Hours: z.number().positive().optional(),
    /** Hours after sending by which an 856 (or tracking) must arrive. */
    shipHours: z.number().positive().default(72),
  })
  .prefault({});

/** A decimal amount written as a string, like all money in the hub ("4.95", never 4.95). */
const MoneyText = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : 'write the amount as a quoted decimal such as "4.95"') })
  .regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a non-negative decimal such as "4.95"');

/**
 * How the routing decision weighs this supplier where a SKU has several sources (docs/routing.md).
 * Extension of the second wave (contract: "Several sources per SKU").
 */
export const SupplierRouting = z.strictObject({
  /** Lower wins. A catalog row's own `priority` overrides it for that SKU. */
  priority: z.number().int().min(0).max(1_000_000).optional(),
  /** Per shipment (per PO): added to the cost when comparing landed costs. */
  shippingFee: MoneyText.optional(),
  /** Units held back from every stock figure this supplier reports. */
  stockBuffer: z.number().int().min(0).max(1_000_000).optional(),
});

export const Mapping = z.strictObject({
  supplier: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
  name: z.string().min(1),
  skus: SkuRules,
  transport: Transport,
  outbound: Outbound,
  inbound: Inbound.prefault({}),
  expect: Expectations,
  routing: SupplierRouting.optional(),
});

export type Mapping = z.infer<typeof Mapping>;
export type MappingInput = z.input<typeof Mapping>;
export type SftpTransportConfig = z.infer<typeof SftpTransport>;
export type HttpTransportConfig = z.infer<typeof HttpTransport>;
export type MailboxTransportConfig = z.infer<typeof MailboxTransport>;
export type As2TransportConfig = z.infer<typeof As2Transport>;
export type TransportConfig = z.infer<typeof Transport>;
export type X12EnvelopeConfig = z.infer<typeof X12Envelope>;
export type OutboundConfig = z.infer<typeof Outbound>;
export type InboundConfig = z.infer<typeof Inbound>;
export type SupplierRoutingConfig = z.infer<typeof SupplierRouting>;
