import { Writable } from 'node:stream';
import { MessageSendAllFailure } from '@vonage/sms';
import fc from 'fast-check';
import RestException from 'twilio/lib/base/RestException';
import { createLogger, PinoNestLogger, scrubLogLine } from './logger';

const NUMBER = '+447400123456';
const DIGITS = NUMBER.slice(1);
const NATIONAL = '7400123456';
const PAN = '4111111111111111';

/** A logger at debug level whose lines land in `lines`. */
function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('debug', 'test', sink), lines };
}

function expectClean(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(() => JSON.parse(line) as unknown).not.toThrow();
    const joined = line.replace(/(?<=\d)[ ().-]+(?=\d)/g, '');
    expect([line, joined.includes(NATIONAL), line.includes(PAN)]).toEqual([line, false, false]);
  }
}

describe('log scrubbing', () => {
  it('masks numbers in a twilio RestException, its message, stack and fields', () => {
    const { logger, lines } = capture();
    const err = new RestException({
      statusCode: 400,
      body: { code: 21211, message: `The 'To' number ${NUMBER} is not a valid phone number.`, status: 400 },
    });
    logger.warn({ err }, 'send failed');
    logger.error(err);
    expectClean(lines);
    expect(lines[0]).toContain('+*********456');
    expect(lines[0]).toContain('21211');
  });

  it('masks an axios-style error with the request config, form body and response', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('Request failed with status code 500'), {
      code: 'ERR_BAD_RESPONSE',
      config: {
        url: `https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=%2B${DIGITS}`,
        data: `To=%2B${DIGITS}&From=%2B15005550006&Body=card+${PAN}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      response: { status: 500, data: { message: `could not send to ${NUMBER}`, to: NUMBER } },
      request: {
        path: `/Messages.json?To=${encodeURIComponent(NUMBER)}`,
        nested: { deeper: { To: DIGITS } },
      },
    });
    logger.error({ err, attempt: { provider: 'twilio', body: { To: NUMBER } } }, 'twilio call failed');
    expectClean(lines);
  });

  it('masks a Vonage SDK failure carrying the rejected message and its recipient', () => {
    const { logger, lines } = capture();
    const err = new MessageSendAllFailure({
      'message-count': '1',
      messages: [{ to: DIGITS, status: '6', errorText: 'Unroutable message - rejected' } as never],
    } as never);
    logger.warn({ err }, 'vonage refused');
    expectClean(lines);
    expect(lines[0]).toContain('Unroutable message - rejected');
  });

  it("masks kafkajs log entries and Nest's own messages, traces included", () => {
    const { logger, lines } = capture();
    logger
      .child({ component: 'kafkajs' })
      .error(
        { broker: '127.0.0.1:9092', error: `The value ${PAN} for ${DIGITS}`, stack: `Error\n${DIGITS}` },
        'Crash: KafkaJSNumberOfRetriesExceeded',
      );
    const nest = new PinoNestLogger(logger);
    nest.error(`Unhandled: ${NUMBER}`, `Error: ${NUMBER}\n    at x (${DIGITS})`, 'ExceptionsHandler');
    nest.log(`cardholder 0${NATIONAL} updated`, 'Contacts');
    expectClean(lines);
    expect(lines[0]).toContain('127.0.0.1:9092');
  });

  it('keeps the line valid JSON and leaves numbers outside strings alone', () => {
    const { logger, lines } = capture();
    logger.info({ offsetCount: 1234567890, notificationId: '7f9c2ba4-1234-5678-9abc-123456789012' }, 'done');
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(entry).toMatchObject({
      offsetCount: 1234567890,
      notificationId: '7f9c2ba4-1234-5678-9abc-123456789012',
    });
    expect(typeof entry.time).toBe('number');
  });

  it('property: any JSON value scrubbed stays parseable and loses every quoted number', () => {
    const leaf = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(`to ${NUMBER}`),
      fc.constant(`tel:0${NATIONAL}`),
      fc.constant(`card ${PAN}`),
    );
    fc.assert(
      fc.property(
        fc.jsonValue().chain((v) => fc.tuple(fc.constant(v), leaf)),
        ([value, secret]) => {
          const line = JSON.stringify({ value, nested: { deep: [secret, { secret }] } });
          const out = scrubLogLine(line);
          expect(() => JSON.parse(out) as unknown).not.toThrow();
          expect(out.includes(NATIONAL) || out.includes(PAN)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
