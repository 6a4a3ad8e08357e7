import { Global, Module } from '@nestjs/common';
import { DataCipher } from './data-cipher';

/** One DataCipher per process, for every role that writes or reads a phone number or message text. */
@Global()
@Module({ providers: [DataCipher], exports: [DataCipher] })
export class CryptoModule {}
