import { z } from 'zod';
import type { InboundSms } from './provider.interface';

/**
 * The longest inbound text kept, in UTF-16 code units: Twilio's limit for one (concatenated) message.
 * A webhook carrying more is a 400 naming the field; an SMPP text longer than this cannot arrive in one
 * deliver_sm (254 octets, or a message_payload a real SMSC caps far lower) and is cut here.
 */
export const INBOUND_TEXT_MAX = 1600;

/** What every vendor's inbound parser requires of the fields it maps (zod, as the receipts' schemas). */
export const inboundFields = {
  id: z.string().min(1).max(128),
  number: z.string().min(1).max(64),
  text: z.string().max(INBOUND_TEXT_MAX),
};

/**
 * A vendor's inbound message in Alertline's words: the sender as E.164 with its '+' when it is a number
 * (Vonage and SMPP send the digits alone), and PostgreSQL's one refused character (U+0000, which a text
 * column cannot hold) replaced by U+FFFD so a hostile text is kept, never refused for ever.
 */
export function inboundSms(providerMessageId: string, from: string, to: string, text: string): InboundSms {
  return {
    providerMessageId,
    from: e164(from),
    to: e164(to),
    text: text.slice(0, INBOUND_TEXT_MAX).replace(/\u0000/g, '\uFFFD'),
  };
}

function e164(raw: string): string {
  const compact = raw.replace(/[\s\-().]/g, '');
  return /^\+?[1-9]\d{5,14}$/.test(compact) ? `+${compact.replace(/^\+/, '')}` : raw.slice(0, 64);
}
