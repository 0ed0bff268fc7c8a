/**
 * A hot statement written once in SQL, so no query builder runs on the event loop. By default
 * PostgreSQL parses it once per connection (a named prepared statement) and, after a few calls, may
 * switch to one cached generic plan for it.
 *
 * `planEachCall` is for statements that read a table growing by thousands of rows a minute (tokens,
 * sessions): a generic plan made while that table was tiny is a sequential scan, and it stays cached
 * until the next analyze while every call scans the grown table. Those statements are sent unnamed,
 * so each call is planned with the table's current size.
 *
 * Names must be unique per text: PostgreSQL refuses a name reused for a different statement.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
  readonly planEachCall: boolean;
}

const texts = new Map<string, string>();

/** Declares a statement; throws when the name is already taken by another text. */
export function preparedStatement(
  name: string,
  text: string,
  options: { planEachCall?: boolean } = {},
): PreparedStatement {
  const compact = text.replace(/\s+/g, ' ').trim();
  const known = texts.get(name);
  if (known !== undefined && known !== compact)
    throw new Error(`prepared statement ${name} is already declared with another text`);
  texts.set(name, compact);
  return { name: `guichet_${name}`, text: compact, planEachCall: options.planEachCall ?? false };
}
