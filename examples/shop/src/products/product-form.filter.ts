import { getGuichetAuthentication } from '@guichet/nestjs';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ShopHeaderService } from '../business/shop-header-service.ts';
import {
  type ProductFormErrors,
  type ProductFormValues,
  renderProductForm,
} from '../pages/product-form-page.ts';
import { FormInvalidException } from './form-invalid.exception.ts';

interface CommitFailureBody {
  errors?: Array<{ filename?: string | null; detail?: string; reason?: string }>;
  message?: string | string[];
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Why the images were refused, in words, from the StagedFiles interceptor's answer. */
function imageErrors(exception: HttpException): string[] {
  const body = exception.getResponse() as CommitFailureBody | string;
  if (typeof body === 'string') return [body];
  if (Array.isArray(body.errors) && body.errors.length > 0)
    return body.errors.map(
      (failure) => `${failure.filename ?? 'An image'}: ${failure.detail ?? failure.reason ?? 'refused'}`,
    );
  const message = Array.isArray(body.message) ? body.message.join(' ') : body.message;
  return [message ?? exception.message];
}

/**
 * Shows the "new product" form again, with what was typed and why it was refused. By the time this
 * runs, StagedFiles has already discarded every image the form staged: nothing of it was kept.
 */
@Injectable()
@Catch(HttpException)
export class ProductFormFilter implements ExceptionFilter {
  // Named explicitly: the constructor's type metadata must not depend on how the import is written.
  constructor(@Inject(ShopHeaderService) private readonly headers: ShopHeaderService) {}

  async catch(exception: HttpException, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const auth = getGuichetAuthentication(request);
    const status = exception.getStatus();
    if (auth === undefined || ![400, 413, 422].includes(status)) {
      response.status(status).json(exception.getResponse());
      return;
    }
    const errors: ProductFormErrors =
      exception instanceof FormInvalidException ? exception.fields : { images: imageErrors(exception) };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values: ProductFormValues = {
      name: textOf(body.name),
      price: textOf(body.price),
      description: textOf(body.description),
    };
    const header = await this.headers.headerFor(auth);
    response.status(status).type('html').setHeader('cache-control', 'no-store');
    response.send(renderProductForm(header, values, errors));
  }
}
