import { Injectable, Module } from '@nestjs/common';

/**
 * Stands in for @nestjs/config's ConfigService (not a dependency here), with the same two
 * methods the README's quick start calls: settings from the environment.
 */
@Injectable()
export class ConfigService {
  /** The setting, or `undefined` when it is not set. */
  get(name: string): string | undefined {
    const value = process.env[name];
    return value === '' ? undefined : value;
  }

  /** The setting; throws when it is not set, so a misconfigured app fails at boot. */
  getOrThrow(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new TypeError(`Configuration key "${name}" does not exist`);
    return value;
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
export class ConfigModule {}
