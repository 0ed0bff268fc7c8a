import { Injectable, Module } from '@nestjs/common';

/** Stands in for @nestjs/config's ConfigService: settings from the environment, checked. */
@Injectable()
export class ConfigService {
  get(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set`);
    return value;
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
export class ConfigModule {}
