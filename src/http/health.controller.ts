import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadinessService } from '../common/readiness.service';

@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Readiness: every registered dependency answers. */
  @Get('readyz')
  async readyz(@Res() res: Response) {
    const report = await this.readiness.report();
    res.status(report.ready ? 200 : 503).json({ status: report.ready ? 'ready' : 'not ready', ...report });
  }
}
