import { Public } from '@guichet/nestjs';
import { InvalidLogoutTokenError, type RelyingParty, SignInError } from '@guichet-examples/relying-party';
import { Body, Controller, Get, HttpCode, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { renderLanding } from '../pages/landing-page.ts';
import { renderNotice } from '../pages/notice-page.ts';
import { RELYING_PARTY } from '../shop-tokens.ts';

const logger = new Logger('SignIn');

/** Sign-in, sign-out and back-channel logout: the routes that work without a token. */
@Controller()
@Public()
export class SignInController {
  constructor(@Inject(RELYING_PARTY) private readonly relyingParty: RelyingParty) {}

  @Get()
  home(@Req() request: Request, @Res() response: Response): void {
    if (this.relyingParty.sessionOf(request.headers.cookie)?.signedIn !== undefined) {
      response.redirect(303, '/products');
      return;
    }
    response.type('html').setHeader('cache-control', 'no-store');
    response.send(renderLanding());
  }

  /** Off to Guichet; someone signed in to another app of the company comes straight back (SSO). */
  @Get('login')
  async login(@Query('return_to') returnTo: string | undefined, @Res() response: Response): Promise<void> {
    const redirect = await this.relyingParty.startSignIn(returnTo ?? '/products');
    response.setHeader('set-cookie', redirect.setCookie);
    response.redirect(303, redirect.location);
  }

  @Get('callback')
  async callback(@Req() request: Request, @Res() response: Response): Promise<void> {
    try {
      const redirect = await this.relyingParty.finishSignIn(
        request.headers.cookie,
        new URL(request.originalUrl, this.relyingParty.redirectUri),
      );
      response.setHeader('set-cookie', redirect.setCookie);
      response.redirect(303, redirect.location);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      logger.warn(`sign-in failed: ${error.message}`);
      response.status(400).type('html').send(renderNotice('Sign-in failed', 'Please try again.'));
    }
  }

  /** Signs out of the shop and, through Guichet, of every app of the session. */
  @Post('logout')
  logout(@Req() request: Request, @Res() response: Response): void {
    const redirect = this.relyingParty.signOut(request.headers.cookie, '/');
    response.setHeader('set-cookie', redirect.setCookie);
    response.redirect(303, redirect.location);
  }

  /** Guichet posts a logout token here when the person signs out in any app (back-channel logout). */
  @Post('backchannel-logout')
  @HttpCode(200)
  async backChannelLogout(
    @Body() body: { logout_token?: unknown } | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    response.setHeader('cache-control', 'no-store');
    const token = body?.logout_token;
    try {
      if (typeof token !== 'string') throw new InvalidLogoutTokenError('missing');
      await this.relyingParty.backChannelLogout(token);
    } catch (error) {
      if (!(error instanceof InvalidLogoutTokenError)) throw error;
      logger.warn(error.message);
      response.status(400).json({ error: 'invalid_request' });
    }
  }
}
