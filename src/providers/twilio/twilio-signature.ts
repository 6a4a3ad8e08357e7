import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import twilio from 'twilio';
import type { AppConfig } from '../../config/app-config';
import type { WebhookRefused } from '../provider-definition';
import { twilioSettings } from './twilio.settings';

/**
 * X-Twilio-Signature on any Twilio webhook (status callbacks, incoming messages): HMAC-SHA1 of the public
 * URL Twilio called plus the sorted form parameters, keyed with the auth token. PUBLIC_BASE_URL is what
 * Twilio sees (behind a proxy the local URL differs). Null when authentic, else the refusal.
 */
export function twilioSignatureRefusal(config: AppConfig, req: Request): WebhookRefused | null {
  const signature = req.header('x-twilio-signature');
  const url = `${config.get('PUBLIC_BASE_URL')}${req.originalUrl}`;
  const params = (req.body ?? {}) as Record<string, string>;
  const token = config.vendor(twilioSettings).TWILIO_AUTH_TOKEN;
  if (!signature || !valid(token, signature, url, params)) {
    return { reason: 'BAD_SIGNATURE', message: 'invalid X-Twilio-Signature' };
  }
  return null;
}

/**
 * Twilio signs the callback URL as it was given, so that is checked first, with one HMAC. The SDK's
 * validateRequest tries the URL without its port first (then with it, then normalised forms), one HMAC
 * each: with a port in PUBLIC_BASE_URL every genuine callback paid for two. It still decides whenever
 * the exact URL does not match.
 */
function valid(token: string, signature: string, url: string, params: Record<string, string>): boolean {
  const given = Buffer.from(signature);
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(token, url, params));
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  return twilio.validateRequest(token, signature, url, params);
}
