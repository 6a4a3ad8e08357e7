import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HttpErrorFault, HttpFaultGate } from '../http-fault-gate';
import { TencentApiService } from './tencent-api.service';
import { sdkJson } from './tencent-tc3';
import type { TencentReply } from './tencent-format';

/**
 * Tencent Cloud API 3.0 at `${TENCENT_SMS_ENDPOINT}/` (the SDK posts to the endpoint's root, here
 * /tencent/): one URL for every action, named by the X-TC-Action header.
 */
@Controller('tencent')
export class TencentApiController {
  constructor(
    private readonly tencent: TencentApiService,
    private readonly gate: HttpFaultGate,
  ) {}

  @Post()
  async call(@Req() req: Request, @Res() res: Response): Promise<void> {
    const action = req.header('x-tc-action');
    const admitted = await this.gate.pass(
      'tencent',
      req,
      res,
      (r: Response, fault: HttpErrorFault) => reply(r, this.tencent.renderFault(fault, action)),
      action === 'SendSms' ? 'send' : 'lookup',
    );
    if (!admitted) return;
    const body =
      typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
    const raw = typeof req.body === 'object' && req.body !== null ? sdkJson(req.body) : '';
    reply(
      res,
      this.tencent.handle(
        { method: req.method, url: req.originalUrl, headers: req.headers, body: raw },
        action,
        body,
      ),
    );
  }
}

function reply(res: Response, answer: TencentReply): void {
  res.status(answer.status).json(answer.body);
}
