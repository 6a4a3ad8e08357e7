import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { mapDlrStat } from '../dlr-stat';
import {
  InboundSms,
  OutboundSms,
  ParsedReceipt,
  ProviderStatusReport,
  SendResult,
  SmsProvider,
  SentLookup,
} from '../provider.interface';
import { TransientProviderError } from '../provider.errors';
import { commandStatusName, mapSmppStatus, parseSmppReceipt, statOfState } from './smpp.codes';
import { SmppConnection } from './smpp-connection';
import { parseSmppInbound } from './smpp-inbound';
import type { EsmePdu } from './smpp.types';
import { splitForSmpp } from './smpp-parts';
import { smppSettings } from './smpp.settings';

// SMPP 3.4: TON 1 / NPI 1 is an international ISDN (E.164) number; TON 5 an alphanumeric sender.
const INTERNATIONAL = { ton: 1, npi: 1 };
const ALPHANUMERIC = { ton: 5, npi: 0 };
// registered_delivery bit 0: a receipt on the final outcome, success or failure.
const FINAL_RECEIPT = 0x01;

/**
 * The SMSC as an ESME over the dispatcher's SmppConnection. A long text is sent as concatenated parts
 * (8-bit-reference UDH), UCS-2 as data_coding 8; each part gets its own message_id and its own receipt.
 * SMPP cannot be asked about a message whose submit_sm_resp never came (query_sm needs its id), so
 * findSent cannot answer (lookup.by none): after a timeout or a crash mid-submit the attempt waits until
 * settled, then UNKNOWN_OUTCOME_POLICY resends it or ends the alert (docs/providers.md).
 */
@Injectable()
export class SmppProvider implements SmsProvider {
  readonly name = 'smpp' as const;
  // No lookup by our reference: a submit_sm whose response was lost stays unknown (docs/providers.md).
  readonly lookup: SentLookup = { by: 'none', visibilityLagMs: 0 };
  private readonly sourceAddr: string;
  private receiptListener?: (receipt: ParsedReceipt) => Promise<void>;
  private inboundListener?: (sms: InboundSms) => Promise<void>;

  constructor(
    config: AppConfig,
    private readonly connection: SmppConnection,
    private readonly clock: Clock,
  ) {
    this.sourceAddr = config.vendor(smppSettings).SMPP_SOURCE_ADDR;
    connection.onDeliver((pdu) => this.deliver(pdu));
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    const { dataCoding, parts } = splitForSmpp(sms.body, sms.encoding === 'UCS-2');
    const source = /^\+?\d+$/.test(this.sourceAddr) ? INTERNATIONAL : ALPHANUMERIC;
    const partIds: string[] = [];
    // In order, one at a time: the SMSC reassembles by reference and sequence, and a refused part stops
    // the rest (the handset never shows an incomplete concatenated text as a whole message).
    for (const part of parts) {
      const resp = await this.connection.request('submit_sm', {
        source_addr_ton: source.ton,
        source_addr_npi: source.npi,
        source_addr: this.sourceAddr.replace(/^\+/, ''),
        dest_addr_ton: INTERNATIONAL.ton,
        dest_addr_npi: INTERNATIONAL.npi,
        destination_addr: sms.to.replace(/\D/g, ''),
        registered_delivery: FINAL_RECEIPT,
        data_coding: dataCoding,
        short_message: part.shortMessage,
      });
      if (resp.command_status !== 0)
        throw mapSmppStatus(resp.command_status, resp.additional_status_info_text);
      if (!resp.message_id)
        throw new TransientProviderError('smpp', 'NO_MESSAGE_ID', 'submit_sm_resp without message_id');
      partIds.push(resp.message_id);
    }
    return { providerMessageId: partIds[0], segments: parts.length, partIds };
  }

  /** Not answerable over SMPP without the message id (see the class comment). */
  async findSent(): Promise<ProviderStatusReport | null> {
    return null;
  }

  /** query_sm; null when the SMSC does not know the id (ESME_RQUERYFAIL, ESME_RINVMSGID). */
  async fetchStatus(providerMessageId: string): Promise<ProviderStatusReport | null> {
    const resp = await this.connection.request('query_sm', {
      message_id: providerMessageId,
      source_addr: this.sourceAddr.replace(/^\+/, ''),
    });
    if (resp.command_status !== 0) {
      const name = commandStatusName(resp.command_status);
      if (name === 'ESME_RQUERYFAIL' || name === 'ESME_RINVMSGID') return null;
      throw mapSmppStatus(resp.command_status);
    }
    const stat = statOfState(resp.message_state);
    return {
      providerMessageId,
      status: mapDlrStat(stat),
      providerStatus: stat,
      errorCode: resp.error_code ? String(resp.error_code) : undefined,
    };
  }

  /** deliver_sm receipts from the session, parsed (SmsProvider.onReceipt). */
  onReceipt(listener: (receipt: ParsedReceipt) => Promise<void>): void {
    this.receiptListener = listener;
  }

  /** deliver_sm that are cardholders' texts, not receipts (SmsProvider.onInbound). */
  onInbound(listener: (sms: InboundSms) => Promise<void>): void {
    this.inboundListener = listener;
  }

  /**
   * Each deliver_sm is stored before its deliver_sm_resp is sent, so one we failed to store comes again.
   * One the listeners cannot read (neither a receipt nor a text) is acknowledged and dropped.
   */
  private async deliver(pdu: EsmePdu): Promise<void> {
    const r = parseSmppReceipt(pdu);
    if (r) {
      await this.receiptListener?.({
        providerMessageId: r.messageId,
        status: r.status,
        providerStatus: r.stat,
        errorCode: r.errorCode ?? null,
      });
      return;
    }
    const sms = parseSmppInbound(pdu, this.clock.now().getTime());
    if (sms) await this.inboundListener?.(sms);
  }
}
