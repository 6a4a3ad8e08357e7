import { phoneKey } from './sandbox.store';

// Recipients the sandbox always refuses, after Twilio's test-credential magic numbers
// (https://www.twilio.com/docs/iam/test-credentials), so demos and tests can trigger permanent recipient
// errors on every provider with one number. The texts are the vendors' own, and like them they quote the
// recipient as it was sent: Twilio's 21211, 21612 and 21614 name the 'To' number (21612 the From too),
// Vonage puts the recipient's digits in the refused message's `to`, and the SMSC names the destination in
// submit_sm_resp's additional_status_info_text. Alertline must mask them before it stores or logs them.
export const PERMANENT_REASONS = ['invalid', 'unreachable', 'unsubscribed', 'not-mobile'] as const;
export type PermanentReason = (typeof PERMANENT_REASONS)[number];

export interface MagicRejection {
  twilio: { code: number; message: string };
  /** Vonage messages[].status, error-text and the recipient's digits, as Vonage answers a refusal. */
  vonage: { status: string; errorText: string; to: string };
  /** SMPP submit_sm_resp command_status (always ESME_RINVDSTADR) and its additional_status_info_text. */
  smpp: { status: number; text: string };
}

const ESME_RINVDSTADR = 0x0b;

// Vonage's "invalid destination" is status 6 (unrecognised prefix). Status 15 is a bad *sender*: an adapter
// must not blame the cardholder's number for it, so the sandbox does not use 15 here.
const TEXTS: Record<
  PermanentReason,
  { twilio: number; message: (to: string, from: string) => string; vonage: [string, string] }
> = {
  invalid: {
    twilio: 21211,
    message: (to) => `The 'To' number ${to} is not a valid phone number.`,
    vonage: ['6', 'Invalid Message'],
  },
  unreachable: {
    twilio: 21612,
    message: (to, from) =>
      `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`,
    vonage: ['6', 'Unroutable message - rejected'],
  },
  unsubscribed: {
    twilio: 21610,
    message: () => 'Attempt to send to unsubscribed recipient',
    vonage: ['7', 'Number barred.'],
  },
  'not-mobile': {
    twilio: 21614,
    message: (to) => `To number: ${to}, is not a mobile number`,
    vonage: ['6', 'Invalid Message'],
  },
};

const MAGIC: Record<string, PermanentReason> = {
  '15005550001': 'invalid',
  '15005550002': 'unreachable',
  '15005550004': 'unsubscribed',
  '15005550009': 'not-mobile',
};

export const MAGIC_NUMBERS = Object.keys(MAGIC).map((digits) => `+${digits}`);

/** A recipient listed in a provider's `permanentNumbers` fault, with the reason it is refused. */
export type PermanentNumber = string | { number: string; reason: PermanentReason };

function rejection(reason: PermanentReason, to: string, from: string): MagicRejection {
  const texts = TEXTS[reason];
  return {
    twilio: { code: texts.twilio, message: texts.message(to, from) },
    vonage: { status: texts.vonage[0], errorText: texts.vonage[1], to: phoneKey(to) },
    smpp: { status: ESME_RINVDSTADR, text: `Invalid destination address ${to}` },
  };
}

export function magicRejection(to: string, from = ''): MagicRejection | undefined {
  const reason = MAGIC[phoneKey(to)];
  return reason ? rejection(reason, to, from) : undefined;
}

/**
 * Why this recipient is refused: a magic number, or one listed in the provider's `permanentNumbers` fault
 * (by default "not a mobile"). An emulator renders the reason in its vendor's words (recipientRejection
 * has the Twilio, Vonage and SMPP ones).
 */
export function recipientReason(
  to: string,
  permanentNumbers?: readonly PermanentNumber[],
): PermanentReason | undefined {
  const key = phoneKey(to);
  const magic = MAGIC[key];
  if (magic || !permanentNumbers?.length) return magic;
  for (const entry of permanentNumbers) {
    const listed = typeof entry === 'string' ? { number: entry, reason: 'not-mobile' as const } : entry;
    if (phoneKey(listed.number) === key) return listed.reason;
  }
  return undefined;
}

/** recipientReason in the Twilio, Vonage and SMPP answers. */
export function recipientRejection(
  to: string,
  permanentNumbers?: readonly PermanentNumber[],
  from = '',
): MagicRejection | undefined {
  const reason = recipientReason(to, permanentNumbers);
  return reason ? rejection(reason, to, from) : undefined;
}

/** E.164-shaped (leading + optional, as Vonage takes digits only): 7 to 15 digits, no leading 0. */
export function isPlausibleNumber(to: string): boolean {
  return /^\+?[1-9]\d{6,14}$/.test(to);
}
