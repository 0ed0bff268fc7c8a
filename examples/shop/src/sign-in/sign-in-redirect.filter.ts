import { GuichetHttpException } from '@guichet/nestjs';
import type { RelyingParty } from '@guichet-examples/relying-party';
import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderNotice } from '../pages/notice-page.ts';
import { RELYING_PARTY } from '../shop-tokens.ts';

/**
 * The guard's refusals, as a person in a browser should see them: no valid session sends them to
 * sign in (silently, when Guichet still knows them), a session ended elsewhere back to the start,
 * no active business or no role to a page that says so.
 */
@Catch(GuichetHttpException)
export class SignInRedirectFilter implements ExceptionFilter {
  constructor(@Inject(RELYING_PARTY) private readonly relyingParty: RelyingParty) {}

  catch(exception: GuichetHttpException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    response.setHeader('cache-control', 'no-store');
    const status = exception.getStatus();
    if (status === 401) {
      const session = this.relyingParty.sessionOf(request.headers.cookie);
      // Signed out in another app, or the grant was revoked: this session is over as well.
      if (exception.code === 'session_ended' && session !== undefined)
        this.relyingParty.sessions.delete(session.id);
      const target =
        request.method === 'GET' && exception.code !== 'session_ended'
          ? `/login?return_to=${encodeURIComponent(request.originalUrl)}`
          : '/';
      response.redirect(303, target);
      return;
    }
    const message =
      exception.code === 'no_active_business'
        ? 'Your session has no active business. Sign out and choose one when signing in.'
        : exception.code === 'unavailable'
          ? 'The sign-in service is unreachable. Try again in a moment.'
          : 'You are not allowed to do that in this business.';
    response.status(status).type('html').send(renderNotice('Not available', message));
  }
}
