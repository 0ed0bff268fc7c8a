import type { ValidationPipeOptions } from '@nestjs/common';

// class-validator and class-transformer are not dependencies here: ValidationPipe takes any
// package with their shape, so the DTOs below use these few property rules instead.

type Check = (value: unknown) => string | undefined;
type ValidatorPackage = NonNullable<ValidationPipeOptions['validatorPackage']>;
type TransformerPackage = NonNullable<ValidationPipeOptions['transformerPackage']>;

const rulesByClass = new WeakMap<object, Map<string, Check[]>>();

function rule(name: string, check: Check): PropertyDecorator {
  return (target, property) => {
    const rules = rulesByClass.get(target) ?? new Map<string, Check[]>();
    rulesByClass.set(target, rules);
    const key = String(property);
    rules.set(key, [...(rules.get(key) ?? []), (value) => (check(value) === undefined ? undefined : name)]);
  };
}

export const IsNonEmptyString = (): PropertyDecorator =>
  rule('isNonEmptyString', (value) =>
    typeof value === 'string' && value.trim() !== '' ? undefined : 'must be a non-empty string',
  );

export const IsPrice = (): PropertyDecorator =>
  rule('isPrice', (value) =>
    typeof value === 'string' && /^\d{1,9}(\.\d{1,2})?$/.test(value) ? undefined : 'must be a price',
  );

export const validatorPackage: ValidatorPackage = {
  validate(object: unknown) {
    if (typeof object !== 'object' || object === null) return [];
    const rules = rulesByClass.get(Object.getPrototypeOf(object) as object) ?? new Map<string, Check[]>();
    const values = object as Record<string, unknown>;
    return [...rules].flatMap(([property, checks]) => {
      const failed = checks.flatMap((check) => check(values[property]) ?? []);
      if (failed.length === 0) return [];
      const constraints = Object.fromEntries(failed.map((name) => [name, `${property} ${name}`]));
      return [{ property, value: values[property], constraints, children: [] }];
    });
  },
};

export const transformerPackage: TransformerPackage = {
  plainToInstance<T>(cls: new () => T, plain: unknown): T {
    return Object.assign(new cls() as object, plain) as T;
  },
  classToPlain(object) {
    return { ...(object as Record<string, unknown>) };
  },
};
