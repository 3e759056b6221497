/**
 * Recognising carriers' tracking numbers by their form, where that settles a doubt: whether a value
 * a supplier put under a reference that may be a bill of lading (X12 REF*BM) is in fact a parcel
 * tracking number, and which carrier shipped when the file names none (no TD503).
 *
 * Forms that stand on their own (no carrier needed to tell them): UPS `1Z` + 16 letters/digits;
 * USPS 22 digits starting 92-95 (IMpb) and the international `XX123456789US` (S10, check digit
 * verified); FedEx 22 digits starting 96 (Ground barcode); DHL `JJD`/`JVGL` + digits. Forms that
 * only count with the carrier named (a bare number could be anything): FedEx 12, 15 or 20 digits,
 * USPS 20 digits, DHL Express 10 digits, UPS `T` + 10 digits (Mail Innovations / freight).
 *
 * @example
 *   recognizeTrackingNumber('1Z999AA10123456784');        // { carrier: 'UPSN' }
 *   recognizeTrackingNumber('781234567890');              // undefined: a bare number
 *   recognizeTrackingNumber('781234567890', 'FDEG');      // { carrier: 'FDEG' }
 *   recognizeTrackingNumber('BOL-778812', 'UPSN');        // undefined: a bill of lading
 */

export type TrackingCarrier = 'UPSN' | 'FDEG' | 'USPS' | 'DHL';

/** SCACs and names a file may use for the carriers recognised here, compared without case or punctuation. */
const HINTS: Record<string, TrackingCarrier> = {
  UPSN: 'UPSN', UPS: 'UPSN', UPSS: 'UPSN', UPSG: 'UPSN', UPGN: 'UPSN',
  FDEG: 'FDEG', FDE: 'FDEG', FDX: 'FDEG', FDXG: 'FDEG', FXFE: 'FDEG', FEDEX: 'FDEG', FDXE: 'FDEG',
  USPS: 'USPS', USPN: 'USPS', USPO: 'USPS',
  DHL: 'DHL', DHLC: 'DHL', DHLX: 'DHL', DHLE: 'DHL', DHLG: 'DHL',
};

/** S10 (UPU) check digit of the 8 serial digits: weights 8 6 4 2 3 5 9 7, 11 - sum mod 11 (10 → 0, 11 → 5). */
function s10CheckDigit(serial: string): number {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(serial[i]) * weights[i]!;
  const check = 11 - (sum % 11);
  return check === 10 ? 0 : check === 11 ? 5 : check;
}

export function carrierHint(carrier: string | undefined): TrackingCarrier | undefined {
  if (!carrier) return undefined;
  return HINTS[carrier.toUpperCase().replace(/[^A-Z0-9]/g, '')];
}

/** The carrier whose tracking number `value` looks like, or undefined. `carrier`: the SCAC the file names, if any. */
export function recognizeTrackingNumber(value: string, carrier?: string): { carrier: TrackingCarrier } | undefined {
  const v = value.replace(/\s+/g, '').toUpperCase();
  if (/^1Z[0-9A-Z]{16}$/.test(v)) return { carrier: 'UPSN' };
  if (/^9[2-5]\d{20}$/.test(v)) return { carrier: 'USPS' };
  const s10 = /^[A-Z]{2}(\d{8})(\d)US$/.exec(v);
  if (s10 && s10CheckDigit(s10[1]!) === Number(s10[2])) return { carrier: 'USPS' };
  if (/^96\d{20}$/.test(v)) return { carrier: 'FDEG' };
  if (/^(JJD|JVGL)\d{10,20}$/.test(v)) return { carrier: 'DHL' };
  const hint = carrierHint(carrier);
  if (hint === 'FDEG' && /^(\d{12}|\d{15}|\d{20})$/.test(v)) return { carrier: 'FDEG' };
  if (hint === 'USPS' && /^\d{20}$/.test(v)) return { carrier: 'USPS' };
  if (hint === 'DHL' && /^\d{10}$/.test(v)) return { carrier: 'DHL' };
  if (hint === 'UPSN' && /^T\d{10}$/.test(v)) return { carrier: 'UPSN' };
  return undefined;
}
