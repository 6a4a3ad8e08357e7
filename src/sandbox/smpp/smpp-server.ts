import type { AddressInfo, Server } from 'node:net';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppLogger, LOGGER } from '../../common/logger.module';
import { AppConfig } from '../../config/app-config';
import { ReadinessRegistry } from '../../health/readiness.registry';
import { FaultState, ReceiptOutcome, SandboxFaults } from '../sandbox.faults';
import { smppMessageId } from '../sandbox.ids';
import { SandboxMetrics } from '../sandbox.metrics';
import { SandboxStore, StoredMessage } from '../sandbox.store';
import {
  BindKind,
  bindStatus,
  canReceive,
  destinationRefusal,
  inboundFields,
  queryFields,
  receiptWanted,
  SessionState,
  settledStatus,
} from './smpp-answers';
import {
  ConcatAssembler,
  concatFromSar,
  concatFromUdh,
  decodeBody,
  encodingName,
  payloadSegments,
  receiptFields,
} from './smpp-concat';
import { errorResponseWithText, smpp, SMPP_STATUS, SmppPdu, SmppSession } from './smpp-types';
import { TimerWheel } from '../timer-wheel';
import type { EmulatedInbound, SandboxInbound } from '../sandbox-emulator';
import { smppSettings } from '../../providers/smpp/smpp.settings';

// Receipts for a system_id with no receiving session bound are kept (as an SMSC does) until one binds.
const MAX_PENDING_RECEIPTS = 100_000;

/**
 * An SMSC on the `smpp` package: binds (system_id/password), submit_sm with UDH or SAR concatenation or
 * message_payload, deliver_sm receipts (esm_class 0x04) to a bound receiving session, enquire_link,
 * query_sm and unbind. Faults: refuse (connections closed), refuseBind, throttle / http429
 * (ESME_RTHROTTLED), http500 (ESME_RSYSERR), timeout (submit_sm never answered), dropSession (the
 * connection is dropped on submit_sm), slow / SANDBOX_LATENCY_MS (submit_sm_resp delayed).
 */
@Injectable()
export class SmppSmsc implements OnApplicationBootstrap, OnModuleDestroy, EmulatedInbound {
  private server?: Server;
  private readonly sessions = new Map<SmppSession, SessionState>();
  private readonly pendingReceipts = new Map<string, Array<Record<string, unknown>>>();
  private readonly assembler = new ConcatAssembler();
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly store: SandboxStore,
    private readonly faults: SandboxFaults,
    private readonly wheel: TimerWheel,
    private readonly metrics: SandboxMetrics,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = smpp.createServer({}, (session) => this.accept(session));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(
        this.config.vendor(smppSettings).SANDBOX_SMPP_PORT,
        this.config.vendor(smppSettings).SANDBOX_SMPP_HOST,
        () => {
          server.off('error', reject);
          resolve();
        },
      );
    });
    server.on('error', (err) => this.logger.error({ err }, 'sandbox SMSC error'));
    this.readiness.register('sandbox-smsc', async () => {
      if (!server.listening) throw new Error('sandbox SMSC is not listening');
    });
    this.faults.onChange((provider, fault) => {
      if (provider === 'smpp' && fault.mode === 'refuse') for (const s of this.sessions.keys()) s.destroy();
    });
    this.sweepTimer = setInterval(() => this.assembler.sweep(Date.now()), 60_000).unref();
    this.logger.info({ port: this.port }, 'sandbox SMSC listening');
  }

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweepTimer);
    for (const session of this.sessions.keys()) session.destroy();
    const server = this.server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * A receipt on demand (control API) for one part id. True when a bound receiving session took it at once,
   * false when it was queued for the system_id's next bind.
   */
  pushReceipt(
    message: StoredMessage,
    partId: string,
    outcome: ReceiptOutcome | 'sent',
    errorCode?: string,
  ): boolean {
    this.settle(message, outcome, errorCode);
    return this.deliverReceipt(message, partId, undefined);
  }

  /**
   * A mobile-originated text (esm_class 0, data_coding chosen by the package from the text) to a bound
   * receiving session of the configured system_id. An SMSC has no signatures: `signature` is not used.
   */
  sendInbound(sms: SandboxInbound): { id: string; sent: boolean } {
    const target = this.receiverFor(this.config.vendor(smppSettings).SMPP_SYSTEM_ID);
    const pdu = new smpp.PDU('deliver_sm', inboundFields(sms));
    return { id: String(pdu.sequence_number ?? ''), sent: !!target && target.session.send(pdu) };
  }

  private accept(session: SmppSession): void {
    // Without a listener a reset connection's 'error' would be thrown and stop the process.
    session.on('error', (err: Error) =>
      this.logger.debug({ err: err.message }, 'sandbox SMSC session error'),
    );
    if (this.faults.get('smpp').mode === 'refuse') {
      this.metrics.requests.inc({ provider: 'smpp', outcome: 'fault_refuse' });
      session.destroy();
      return;
    }
    const state: SessionState = { session };
    this.sessions.set(session, state);
    session.on('close', () => this.sessions.delete(session));
    for (const kind of ['transceiver', 'transmitter', 'receiver'] as const) {
      session.on(`bind_${kind}`, (pdu: SmppPdu) => this.onBind(state, pdu, kind));
    }
    session.on('submit_sm', (pdu: SmppPdu) => void this.onSubmit(state, pdu));
    session.on('query_sm', (pdu: SmppPdu) => this.onQuery(state, pdu));
    session.on('enquire_link', (pdu: SmppPdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: SmppPdu) => {
      state.bind = undefined;
      session.send(pdu.response(), () => session.close());
    });
    session.on('unknown', (pdu: SmppPdu) => session.send(pdu.response()));
  }

  private onBind(state: SessionState, pdu: SmppPdu, kind: BindKind): void {
    const settings = this.config.vendor(smppSettings);
    const status = bindStatus(state, pdu, this.faults.get('smpp'), {
      systemId: settings.SMPP_SYSTEM_ID,
      password: settings.SMPP_PASSWORD,
    });
    state.session.send(pdu.response({ command_status: status, system_id: 'ALERTLINE-SBX' }));
    this.metrics.requests.inc({
      provider: 'smpp',
      outcome: status === SMPP_STATUS.ESME_ROK ? 'bound' : 'bind_refused',
    });
    if (status !== SMPP_STATUS.ESME_ROK) return;
    state.bind = kind;
    state.systemId = pdu.system_id;
    if (kind !== 'transmitter') this.flushPending(state);
  }

  private async onSubmit(state: SessionState, pdu: SmppPdu): Promise<void> {
    const { session } = state;
    const fault = this.faults.get('smpp');
    const respond = (status: number, outcome: string, text?: string) => {
      this.metrics.requests.inc({ provider: 'smpp', outcome });
      session.send(
        text === undefined
          ? pdu.response({ command_status: status })
          : errorResponseWithText(pdu, status, text),
      );
    };
    if (fault.mode === 'refuse' || fault.smpp.dropSession) {
      this.metrics.requests.inc({ provider: 'smpp', outcome: 'fault_drop' });
      return session.destroy();
    }
    if (fault.mode === 'timeout')
      return void this.metrics.requests.inc({ provider: 'smpp', outcome: 'fault_timeout' });
    if (state.bind !== 'transceiver' && state.bind !== 'transmitter') {
      return respond(SMPP_STATUS.ESME_RINVBNDSTS, 'not_bound');
    }
    const latency = this.faults.latencyFor('smpp');
    if (latency > 0) await this.wheel.delay(latency);
    if (fault.mode === 'http500') return respond(SMPP_STATUS.ESME_RSYSERR, 'fault_http500');
    if (fault.mode === 'http429' || fault.smpp.throttle)
      return respond(SMPP_STATUS.ESME_RTHROTTLED, 'fault_throttle');
    const refused = destinationRefusal(pdu.destination_addr ?? '', fault);
    if (refused !== undefined) return respond(SMPP_STATUS.ESME_RINVDSTADR, 'rejected', refused);

    const partId = smppMessageId();
    session.send(pdu.response({ message_id: partId }));
    this.take(state, pdu, partId, fault);
  }

  /** Stores a single message at once, a concatenated one when its last part arrives. */
  private take(state: SessionState, pdu: SmppPdu, partId: string, fault: FaultState): void {
    const payload = pdu.message_payload !== undefined && pdu.message_payload !== null;
    const { text, udh } = decodeBody(payload ? pdu.message_payload : pdu.short_message);
    const concat = concatFromUdh(udh) ?? concatFromSar(pdu);
    const from = pdu.source_addr ?? '';
    const to = pdu.destination_addr ?? '';
    let body = text;
    let partIds = [partId];
    let segments = payload ? payloadSegments(text, pdu.data_coding) : 1;
    if (concat && concat.total > 1) {
      const result = this.assembler.add(`${state.systemId}|${from}|${to}`, concat, text, partId, Date.now());
      if (!result.complete) return;
      ({ text: body, partIds } = result);
      segments = concat.total;
    }
    const message = this.store.add({
      provider: 'smpp',
      id: partIds[0],
      partIds,
      to,
      from,
      body,
      segments,
      encoding: encodingName(pdu.data_coding),
      status: 'ENROUTE',
      receivedAt: Date.now(),
      account: state.systemId ?? '',
      plannedReceipt: fault.receipt,
      plannedErrorCode: fault.receiptErrorCode?.toString(),
    });
    this.metrics.requests.inc({ provider: 'smpp', outcome: 'accepted' });
    if (message.plannedReceipt === 'none') return;
    const outcome = message.plannedReceipt;
    const wanted = receiptWanted(pdu.registered_delivery, outcome);
    this.wheel.schedule(this.config.get('SANDBOX_RECEIPT_DELAY_MS'), () => {
      this.settle(message, outcome, message.plannedErrorCode);
      if (wanted) {
        for (const id of message.partIds) this.deliverReceipt(message, id, state.session);
      }
    });
  }

  private onQuery(state: SessionState, pdu: SmppPdu): void {
    const id = typeof pdu.message_id === 'string' ? pdu.message_id : undefined;
    const message = id === undefined ? undefined : this.store.get('smpp', id);
    if (id === undefined || !message || message.account !== state.systemId) {
      state.session.send(pdu.response({ command_status: SMPP_STATUS.ESME_RQUERYFAIL }));
      return;
    }
    state.session.send(pdu.response(queryFields(id, message)));
  }

  private settle(message: StoredMessage, outcome: ReceiptOutcome | 'sent', errorCode?: string): void {
    const settled = settledStatus(outcome, errorCode);
    const now = Date.now();
    if (settled.final) message.finalAt = now;
    this.store.setStatus(message, settled.stat, now, settled.errorCode);
  }

  /** To the submitting session when it can receive, else any receiving session of the same system_id. */
  private deliverReceipt(message: StoredMessage, partId: string, origin: SmppSession | undefined): boolean {
    const receipt = receiptFields(message, partId);
    const originState = origin ? this.sessions.get(origin) : undefined;
    const target = originState && canReceive(originState) ? originState : this.receiverFor(message.account);
    if (target && target.session.send(new smpp.PDU('deliver_sm', receipt))) {
      this.metrics.receipts.inc({ provider: 'smpp', outcome: 'delivered' });
      return true;
    }
    let queue = this.pendingReceipts.get(message.account);
    if (!queue) this.pendingReceipts.set(message.account, (queue = []));
    const full = queue.length >= MAX_PENDING_RECEIPTS;
    if (!full) queue.push(receipt);
    this.metrics.receipts.inc({ provider: 'smpp', outcome: full ? 'dropped' : 'queued' });
    return false;
  }

  private receiverFor(systemId: string): SessionState | undefined {
    for (const state of this.sessions.values())
      if (state.systemId === systemId && canReceive(state)) return state;
    return undefined;
  }

  private flushPending(state: SessionState): void {
    const queue = this.pendingReceipts.get(state.systemId!);
    if (!queue) return;
    this.pendingReceipts.delete(state.systemId!);
    for (const receipt of queue) state.session.send(new smpp.PDU('deliver_sm', receipt));
    this.metrics.receipts.inc({ provider: 'smpp', outcome: 'delivered' }, queue.length);
  }
}
