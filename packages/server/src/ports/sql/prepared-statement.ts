/**
 * A hot statement written once in SQL: PostgreSQL parses and plans it once per connection (a named
 * prepared statement) instead of on every call, and no query builder runs on the event loop.
 * Names must be unique per text: PostgreSQL refuses a name reused for a different statement.
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

const texts = new Map<string, string>();

/** Declares a statement; throws when the name is already taken by another text. */
export function preparedStatement(name: string, text: string): PreparedStatement {
  const compact = text.replace(/\s+/g, ' ').trim();
  const known = texts.get(name);
  if (known !== undefined && known !== compact)
    throw new Error(`prepared statement ${name} is already declared with another text`);
  texts.set(name, compact);
  return { name: `guichet_${name}`, text: compact };
}
