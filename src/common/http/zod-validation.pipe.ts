import { BadRequestException, PipeTransform } from '@nestjs/common';
import { ZodType } from 'zod';

/** 400 with every failing field named, e.g. "from: must be an ISO 8601 date-time". */
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: result.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`),
    });
  }
}
