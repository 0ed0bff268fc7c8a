import type { GuichetAuthentication } from '@guichet/sdk';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { GuichetClient } from './guichet-client.ts';
import { GUICHET } from './injection-tokens.ts';
import { PUBLIC_METADATA, ROLES_METADATA, SCOPES_METADATA } from './metadata-keys.ts';
import { getGuichetAuthentication, rememberPrincipal } from './principal-store.ts';
import {
  insufficientRole,
  insufficientScope,
  isGuichetAuthError,
  refusalFromAuthError,
  refuse,
} from './refusals.ts';

interface RequestWithHeaders {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Authenticates every HTTP request with the Guichet SDK, then enforces `@Scopes()` and
 * `@Roles()`. `@Public()` routes skip it. Refusals carry the SDK's status (401/403/503),
 * its RFC 6750 `WWW-Authenticate` header and an OAuth error JSON body, on Express and Fastify.
 *
 * `GuichetModule` installs it globally; with `globalGuard: false` use `@UseGuards(GuichetGuard)`.
 */
export class GuichetGuard implements CanActivate {
  readonly #reflector: Reflector;
  readonly #guichet: GuichetClient;

  constructor(reflector: Reflector, guichet: GuichetClient) {
    this.#reflector = reflector;
    this.#guichet = guichet;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.#reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets) === true)
      return true;
    // Only HTTP carries a bearer token here; fail closed rather than let RPC or WS handlers through.
    if (context.getType() !== 'http') return false;

    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithHeaders>();
    const response: unknown = http.getResponse();
    const principal = await this.#authenticate(request, response);

    // Controller first, so a challenge lists the broad scopes before the route's own.
    const merged = this.#reflector.getAllAndMerge<string[]>(SCOPES_METADATA, [
      context.getClass(),
      context.getHandler(),
    ]);
    const scopes = [...new Set(merged)];
    if (!scopes.every((scope) => principal.scopes.includes(scope))) {
      throw refuse(response, insufficientScope(scopes));
    }

    const roles = this.#reflector.getAllAndOverride<string[] | undefined>(ROLES_METADATA, targets) ?? [];
    if (roles.length > 0 && !roles.some((role) => principal.roles.includes(role))) {
      throw refuse(response, insufficientRole(roles));
    }
    return true;
  }

  /** Authenticates once per request, even when the guard is both global and in `@UseGuards`. */
  async #authenticate(request: RequestWithHeaders, response: unknown): Promise<GuichetAuthentication> {
    const known = getGuichetAuthentication(request);
    if (known !== undefined) return known;
    const header = request.headers.authorization;
    try {
      const principal = await this.#guichet.authenticate(Array.isArray(header) ? header[0] : header);
      rememberPrincipal(request, principal);
      return principal;
    } catch (error) {
      if (isGuichetAuthError(error)) throw refuse(response, refusalFromAuthError(error));
      throw error;
    }
  }
}

// Decorators applied by hand: Node's type stripping does not run decorator syntax.
Injectable()(GuichetGuard);
Inject(Reflector)(GuichetGuard, undefined, 0);
Inject(GUICHET)(GuichetGuard, undefined, 1);
