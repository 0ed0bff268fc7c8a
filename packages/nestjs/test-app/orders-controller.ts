import {
  CurrentBusiness,
  CurrentUser,
  type GuichetAuthentication,
  type GuichetBusiness,
  Roles,
  Scopes,
} from '@guichet/nestjs';
import { Controller, Get, Post } from '@nestjs/common';

/** What a handler learns about the caller, without the raw token. */
export interface Caller {
  sub: string;
  sid: string | null;
  businessId: string | null;
  roles: readonly string[];
  scopes: readonly string[];
}

@Controller('orders')
@Scopes('orders:read')
export class OrdersController {
  @Get('me')
  me(@CurrentUser() user: GuichetAuthentication): Caller {
    const { sub, sid, businessId, roles, scopes } = user;
    return { sub, sid, businessId, roles, scopes };
  }

  @Get('subject')
  subject(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }

  @Get('business')
  business(@CurrentBusiness() business: GuichetBusiness): GuichetBusiness {
    return business;
  }

  @Get('maybe-business')
  maybeBusiness(@CurrentBusiness({ optional: true }) business: GuichetBusiness | null): {
    business: GuichetBusiness | null;
  } {
    return { business };
  }

  @Post()
  @Scopes('orders:write')
  create(@CurrentBusiness() business: GuichetBusiness): { created: true; businessId: string } {
    return { created: true, businessId: business.id };
  }

  @Get('admin')
  @Roles('owner', 'admin')
  admin(@CurrentBusiness() business: GuichetBusiness): { admin: true; roles: readonly string[] } {
    return { admin: true, roles: business.roles };
  }
}
