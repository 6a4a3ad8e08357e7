import { formRequestBody } from '../webhook-openapi';

// Every Twilio webhook is signed the same way (twilio-signature.ts).
const signed = [{ name: 'X-Twilio-Signature', in: 'header', required: true, schema: { type: 'string' } }];

/** POST /webhooks/twilio/status in the OpenAPI document. */
export const twilioStatusOperation = {
  operationId: 'twilioStatusCallback',
  summary: 'Twilio message status callback (delivery receipt)',
  description:
    'Signed with X-Twilio-Signature over PUBLIC_BASE_URL + path and the sorted form parameters. ' +
    'Statuses only move forward: a late or repeated receipt never moves DELIVERED back.',
  parameters: signed,
  requestBody: formRequestBody(
    {
      MessageSid: { type: 'string', minLength: 1 },
      MessageStatus: { type: 'string', examples: ['sent', 'delivered', 'undelivered', 'failed'] },
      ErrorCode: { type: 'string' },
    },
    ['MessageSid', 'MessageStatus'],
  ),
  responses: {
    '204': { description: 'Recorded (also when it changed nothing or matched no message yet).' },
  },
};

/** POST /webhooks/twilio/inbound in the OpenAPI document. */
export const twilioInboundOperation = {
  operationId: 'twilioIncomingMessage',
  summary: "Twilio incoming-message webhook (a cardholder's reply)",
  description:
    'Signed with X-Twilio-Signature like status callbacks. Stored, linked to the latest alert sent to From and ' +
    'published to the replies topic; a redelivered MessageSid is stored once. Answered with empty TwiML.',
  parameters: signed,
  requestBody: formRequestBody(
    {
      MessageSid: { type: 'string', minLength: 1, maxLength: 128 },
      From: { type: 'string', examples: ['+447700900123'] },
      To: { type: 'string' },
      Body: { type: 'string', maxLength: 1600 },
    },
    ['MessageSid', 'From', 'To'],
  ),
  responses: { '200': { description: 'Stored (also a repeat); empty TwiML.' } },
};
