import { ProviderMessageStatus } from './provider.interface';

/**
 * The receipt `stat` words of SMPP 3.4 appendix B (DELIVRD, UNDELIV, ...) onto ours. SMSCs put them in
 * deliver_sm receipts and Vonage's Message Search reports `final-status` in the same words. A word that
 * is not final counts as still in transit.
 */
export function mapDlrStat(stat: string): ProviderMessageStatus {
  switch (stat) {
    case 'DELIVRD':
      return ProviderMessageStatus.DELIVERED;
    case 'UNDELIV':
    case 'EXPIRED':
      return ProviderMessageStatus.UNDELIVERED;
    case 'REJECTD':
    case 'DELETED':
      return ProviderMessageStatus.FAILED;
    case 'ACCEPTD':
    case 'ENROUTE':
      return ProviderMessageStatus.SENT;
    default:
      return ProviderMessageStatus.ACCEPTED;
  }
}
