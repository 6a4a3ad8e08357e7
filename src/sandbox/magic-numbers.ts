import { phoneKey } from './sandbox.store';

// Recipients the sandbox always refuses, after Twilio's test-credential magic numbers
// (https://www.twilio.com/docs/iam/test-credentials), so demos and tests can trigger permanent recipient
// errors on every provider with one number.
export interface MagicRejection {
  twilio: { code: number; message: string };
  /** Vonage messages[].status and error-text. */
  vonage: { status: string; errorText: string };
  /** SMPP submit_sm_resp command_status: always ESME_RINVDSTADR. */
  smpp: number;
}

const ESME_RINVDSTADR = 0x0b;

const MAGIC: Record<string, MagicRejection> = {
  '15005550001': {
    twilio: { code: 21211, message: "Invalid 'To' Phone Number: +15005550001" },
    // Vonage's "invalid destination" is status 6 (unrecognised prefix). Status 15 is a bad *sender*: an
    // adapter must not blame the cardholder's number for it, so the sandbox does not use 15 here.
    vonage: { status: '6', errorText: 'Invalid Message' },
    smpp: ESME_RINVDSTADR,
  },
  '15005550002': {
    twilio: {
      code: 21612,
      message: "The 'To' phone number: +15005550002, is not currently reachable via SMS.",
    },
    vonage: { status: '6', errorText: 'Unroutable message - rejected' },
    smpp: ESME_RINVDSTADR,
  },
  '15005550004': {
    twilio: { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
    vonage: { status: '7', errorText: 'Number barred.' },
    smpp: ESME_RINVDSTADR,
  },
  '15005550009': {
    twilio: { code: 21614, message: "'To' number is not a valid mobile number" },
    vonage: { status: '6', errorText: 'Invalid Message' },
    smpp: ESME_RINVDSTADR,
  },
};

export function magicRejection(to: string): MagicRejection | undefined {
  return MAGIC[phoneKey(to)];
}

export const MAGIC_NUMBERS = Object.keys(MAGIC).map((digits) => `+${digits}`);

/** A magic recipient, or one listed in the provider's `permanentNumbers` fault (refused as not a mobile). */
export function recipientRejection(
  to: string,
  permanentNumbers?: readonly string[],
): MagicRejection | undefined {
  const key = phoneKey(to);
  return (
    magicRejection(to) ??
    (permanentNumbers?.some((n) => phoneKey(n) === key) ? MAGIC['15005550009'] : undefined)
  );
}

/** E.164-shaped (leading + optional, as Vonage takes digits only): 7 to 15 digits, no leading 0. */
export function isPlausibleNumber(to: string): boolean {
  return /^\+?[1-9]\d{6,14}$/.test(to);
}
