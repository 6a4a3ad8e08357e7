import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HttpErrorFault, HttpFaultGate } from '../http-fault-gate';
import type { SandboxRequest } from '../sandbox.faults';
import { TwilioApiService, TwilioReply } from './twilio-api.service';

/**
 * Twilio's Messages REST API, at the paths twilio-node builds (`/2010-04-01/Accounts/{sid}/Messages.json`).
 * @Res: faults need the raw socket (reset, hold open), and answers are written as-is, Twilio's shape.
 */
@Controller('2010-04-01/Accounts/:accountSid')
export class TwilioApiController {
  constructor(
    private readonly twilio: TwilioApiService,
    private readonly gate: HttpFaultGate,
  ) {}

  @Post('Messages.json')
  async create(
    @Param('accountSid') accountSid: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!(await this.admit(req, res))) return;
    reply(
      res,
      this.twilio.authenticate(accountSid, req.headers.authorization) ?? this.twilio.create(req.body ?? {}),
    );
  }

  @Get('Messages.json')
  async list(
    @Param('accountSid') accountSid: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!(await this.admit(req, res, 'lookup'))) return;
    reply(
      res,
      this.twilio.authenticate(accountSid, req.headers.authorization) ?? this.twilio.list(req.query),
    );
  }

  @Get('Messages/:sid.json')
  async fetch(
    @Param('accountSid') accountSid: string,
    @Param('sid') sid: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!(await this.admit(req, res, 'lookup'))) return;
    reply(res, this.twilio.authenticate(accountSid, req.headers.authorization) ?? this.twilio.fetch(sid));
  }

  private admit(req: Request, res: Response, request: SandboxRequest = 'send'): Promise<boolean> {
    return this.gate.pass(
      'twilio',
      req,
      res,
      (r: Response, fault: HttpErrorFault) => {
        const answer = this.twilio.renderError(fault === 'http429' ? 429 : 500);
        if (fault === 'http429') r.setHeader('Retry-After', '1');
        reply(r, answer);
      },
      request,
    );
  }
}

function reply(res: Response, answer: TwilioReply): void {
  res.status(answer.status).json(answer.body);
}
