import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import type { VendorValues } from '../../config/vendor-settings';
import { AppLogger, LOGGER } from '../../common/logger.module';
import { ReadinessRegistry } from '../../health/readiness.registry';
import { ProviderTimeoutError, TransientProviderError } from '../provider.errors';
import { commandStatusName } from './smpp.codes';
import { smppSettings } from './smpp.settings';
import { EsmePdu, EsmeSession, smppLib } from './smpp.types';

type DeliverHandler = (pdu: EsmePdu) => Promise<void>;

const FIRST_RETRY_MS = 250;
// deliver_sm_resp "temporary application error": the SMSC keeps the receipt and delivers it again.
const ESME_RX_T_APPN = 0x64;

/**
 * The dispatcher's one long-lived SMPP session (bind_transceiver): submit_sm out, deliver_sm receipts
 * in. enquire_link keeps it alive and detects a dead peer; a refused bind or dropped session is retried
 * with doubling backoff. Requests while unbound fail at once (transient), so the route moves on.
 */
@Injectable()
export class SmppConnection implements OnModuleInit, OnModuleDestroy {
  private session?: EsmeSession;
  private bound = false;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private reconnectTimer?: NodeJS.Timeout;
  private keepAliveTimer?: NodeJS.Timeout;
  private readonly pending = new Set<(err: Error) => void>();
  private deliverHandler?: DeliverHandler;
  private readonly enabled: boolean;
  private readonly timeoutMs: number;

  private readonly settings: VendorValues<typeof smppSettings.shape>;

  constructor(
    config: AppConfig,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.enabled = config.get('PROVIDERS').includes('smpp');
    this.timeoutMs = config.get('PROVIDER_TIMEOUT_MS');
    this.settings = config.vendor(smppSettings);
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.readiness.register('smpp', async () => {
      if (!this.bound) throw new Error('smpp not bound');
    });
    this.connect();
  }

  get isBound(): boolean {
    return this.bound;
  }

  /** Where deliver_sm PDUs go; the response is sent after the handler resolves (durably recorded). */
  onDeliver(handler: DeliverHandler): void {
    this.deliverHandler = handler;
  }

  /** Sends a request PDU and resolves with its response; a lost or silent session rejects. */
  request(command: 'submit_sm' | 'query_sm', options: Record<string, unknown>): Promise<EsmePdu> {
    const session = this.session;
    if (!session || !this.bound) {
      return Promise.reject(new TransientProviderError('smpp', 'NOT_BOUND', 'no bound SMPP session'));
    }
    return new Promise<EsmePdu>((resolve, reject) => {
      const fail = (err: Error) => settle(() => reject(err));
      const timer = setTimeout(
        () => fail(new ProviderTimeoutError('smpp', `no ${command}_resp within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        finish();
      };
      this.pending.add(fail);
      const written = session[command](options, (pdu) => settle(() => resolve(pdu)));
      if (!written) fail(new TransientProviderError('smpp', 'NOT_WRITABLE', 'SMPP socket is not writable'));
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.keepAliveTimer);
    const session = this.session;
    if (!session) return;
    if (this.bound) {
      // A clean unbind lets the SMSC stop routing receipts here; destroy if it does not answer.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        session.unbind({}, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    session.destroy();
  }

  private connect(): void {
    if (this.stopped) return;
    const session = smppLib.connect({
      host: this.settings.SMPP_HOST,
      port: this.settings.SMPP_PORT,
    });
    this.session = session;
    session.on('connect', () => this.bind(session));
    session.on('error', (err: Error) => this.logger.debug({ err: err.message }, 'smpp session error'));
    session.on('close', () => this.lost(session));
    session.on('deliver_sm', (pdu: EsmePdu) => void this.deliver(session, pdu));
    // The SMSC checks on us too.
    session.on('enquire_link', (pdu: EsmePdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: EsmePdu) => {
      this.bound = false;
      session.send(pdu.response(), () => session.destroy());
    });
  }

  private bind(session: EsmeSession): void {
    session.bind_transceiver(
      { system_id: this.settings.SMPP_SYSTEM_ID, password: this.settings.SMPP_PASSWORD },
      (pdu) => {
        if (pdu.command_status !== 0) {
          this.logger.warn({ status: commandStatusName(pdu.command_status) }, 'smpp bind refused');
          session.destroy();
          return;
        }
        this.bound = true;
        this.retryMs = FIRST_RETRY_MS;
        this.logger.info('smpp bound (transceiver)');
        this.keepAlive(session);
      },
    );
  }

  private keepAlive(session: EsmeSession): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = setInterval(() => {
      const timer = setTimeout(() => {
        this.logger.warn('smpp enquire_link unanswered; reconnecting');
        session.destroy();
      }, this.timeoutMs);
      session.enquire_link({}, () => clearTimeout(timer));
    }, this.settings.SMPP_ENQUIRE_LINK_MS);
    this.keepAliveTimer.unref();
  }

  private async deliver(session: EsmeSession, pdu: EsmePdu): Promise<void> {
    try {
      if (this.deliverHandler) await this.deliverHandler(pdu);
      session.send(pdu.response());
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message },
        'smpp receipt not recorded; the SMSC will redeliver it',
      );
      session.send(pdu.response({ command_status: ESME_RX_T_APPN }));
    }
  }

  private lost(session: EsmeSession): void {
    if (session !== this.session) return;
    const wasBound = this.bound;
    this.bound = false;
    this.session = undefined;
    clearInterval(this.keepAliveTimer);
    for (const fail of [...this.pending]) {
      fail(
        new TransientProviderError('smpp', 'SESSION_DROPPED', 'the SMPP session closed before the response'),
      );
    }
    if (this.stopped) return;
    if (wasBound) this.logger.warn('smpp session lost; reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.settings.SMPP_RECONNECT_MAX_MS);
  }
}
