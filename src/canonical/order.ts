import { z } from 'zod';

/** A decimal amount as a string ("19.99"): never a float, never exponent notation. */
export const Money = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,4})?$/, 'must be a non-negative decimal string such as "19.99"');

const COUNTRY_CODES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
    'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
    'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
    'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
    'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

export const CountryCode = z
  .string()
  .refine((c) => COUNTRY_CODES.has(c), 'must be an ISO 3166-1 alpha-2 country code such as "US"');

/**
 * Free text: any characters but NUL, which PostgreSQL cannot store in text. The length checks run
 * only on a string (zod 4 runs checks after a failed type check, and a hostile object there throws).
 */
const text = (max: number, min = 0) =>
  z.string().pipe(z.string().min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`).max(max).regex(/^[^\u0000]*$/, 'must not contain a NUL character'));
const optionalText = (max: number) => text(max).nullish();

export const PaymentStatus = z.enum(['paid', 'authorized', 'pending', 'refunded', 'voided']);

export const Address = z.strictObject({
  name: text(200, 1),
  company: optionalText(200),
  address1: text(300, 1),
  address2: optionalText(300),
  city: text(100, 1),
  region: optionalText(100),
  postalCode: optionalText(30),
  country: CountryCode,
  phone: optionalText(50),
});

export const OrderLine = z.strictObject({
  lineId: text(64, 1),
  sku: text(128, 1),
  title: optionalText(500),
  quantity: z.number().int().positive().max(1_000_000),
  unitPrice: Money,
});

/** The canonical order: what every intake adapter produces and what the hub stores. */
export const CanonicalOrder = z
  .strictObject({
    externalId: text(128, 1),
    orderNumber: text(64, 1),
    placedAt: z.iso.datetime({ offset: true }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "USD"'),
    payment: z.strictObject({ status: PaymentStatus, reference: optionalText(200) }),
    customer: z.strictObject({
      name: text(200, 1),
      email: z.email().max(254).nullish(),
      phone: optionalText(50),
    }),
    shipTo: Address,
    shipping: z
      .strictObject({
        method: optionalText(100),
        carrier: optionalText(100),
        serviceLevel: optionalText(100),
      })
      .nullish(),
    lines: z.array(OrderLine).min(1, 'an order needs at least one line').max(1000),
    notes: optionalText(2000),
  })
  .superRefine((order, ctx) => {
    const seen = new Set<string>();
    order.lines.forEach((line, i) => {
      if (seen.has(line.lineId)) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'lineId'], message: `duplicate lineId "${line.lineId}"` });
      }
      seen.add(line.lineId);
    });
  });

export type CanonicalOrder = z.infer<typeof CanonicalOrder>;
export type OrderLine = z.infer<typeof OrderLine>;
export type Address = z.infer<typeof Address>;
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export function isPaid(status: PaymentStatus): boolean {
  return status === 'paid';
}
