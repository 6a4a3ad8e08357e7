import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { SMS_PROVIDERS, SmsProvider } from '../providers/provider.interface';
import { RepliesService } from './replies.service';

/**
 * Cardholders' texts that arrive on a provider's own session in the dispatcher (SMPP deliver_sm that is
 * not a receipt): each is stored before the provider acknowledges it, so one we failed to store comes again.
 */
@Injectable()
export class SessionInboundListener implements OnModuleInit {
  constructor(
    @Inject(SMS_PROVIDERS) private readonly providers: SmsProvider[],
    private readonly replies: RepliesService,
  ) {}

  onModuleInit(): void {
    for (const provider of this.providers) {
      provider.onInbound?.((sms) => this.replies.accept(provider.name, [sms]));
    }
  }
}
