import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ControlInputError } from './sandbox.faults';
import { MessageNotFoundError, SandboxControlService } from './sandbox-control.service';

/**
 * The sandbox's own API for tests, the demo and the benchmark. Phone numbers are shown unmasked on
 * purpose: this is a test double, and no real cardholder number ever reaches it.
 */
@Controller('sandbox')
export class SandboxControlController {
  constructor(private readonly control: SandboxControlService) {}

  @Get('faults')
  faults() {
    return this.control.getFaults();
  }

  @Put('faults/:provider')
  setFault(@Param('provider') provider: string, @Body() body: unknown) {
    return run(() => this.control.setFault(provider, body));
  }

  @Delete('faults')
  resetFaults() {
    return this.control.resetFaults();
  }

  @Put('latency')
  setLatency(@Body() body: unknown) {
    return run(() => this.control.setLatency(body));
  }

  @Get('messages')
  messages(@Query() query: unknown) {
    return run(() => this.control.listMessages(query));
  }

  @Get('messages/count')
  count(@Query() query: unknown) {
    return run(() => this.control.countMessages(query));
  }

  @Delete('messages')
  clear() {
    return this.control.clearMessages();
  }

  @Post('inbound/:provider')
  @HttpCode(202)
  inbound(@Param('provider') provider: string, @Body() body: unknown) {
    return run(() => this.control.sendInbound(provider, body));
  }

  @Post('messages/:provider/:id/receipt')
  @HttpCode(202)
  receipt(@Param('provider') provider: string, @Param('id') id: string, @Body() body: unknown) {
    return run(() => this.control.pushReceipt(provider, id, body));
  }
}

/** Bad control input is a 400 naming the field; an unknown message a 404. */
function run<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ControlInputError) throw new BadRequestException(err.message);
    if (err instanceof MessageNotFoundError) throw new NotFoundException(err.message);
    throw err;
  }
}
