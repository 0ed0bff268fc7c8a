import type { Command } from 'commander';

function describeCommand(command: Command, path: string[]): string[] {
  const name = [...path, command.name()].join(' ');
  const lines = [`### \`${name}\``, '', command.description(), ''];
  const usage = command.usage();
  lines.push('```', `${name} ${usage}`.trim(), '```', '');
  const options = command.options.filter((option) => !option.hidden);
  if (options.length > 0) {
    lines.push('| option | meaning |', '|---|---|');
    for (const option of options) {
      const fallback =
        option.defaultValue === undefined ? '' : ` (default: \`${String(option.defaultValue)}\`)`;
      lines.push(`| \`${option.flags}\` | ${option.description}${fallback} |`);
    }
    lines.push('');
  }
  return lines;
}

function walk(command: Command, path: string[]): string[] {
  return command.commands.flatMap((child) => {
    const own = child.commands.length === 0 ? describeCommand(child, path) : [];
    return [...own, ...walk(child, [...path, child.name()])];
  });
}

/** The CLI reference in Markdown, generated from the commands' own definitions. */
export function cliReference(program: Command): string {
  const lines = [
    '# CLI reference',
    '',
    '<!-- Generated from the CLI definitions by `npm run docs:cli`; do not edit by hand. -->',
    '',
    'Run from a clone as `npx guichet ...`. Global options:',
    '',
    '| option | meaning |',
    '|---|---|',
    ...program.options.map((option) => `| \`${option.flags}\` | ${option.description} |`),
    '',
    ...walk(program, [program.name()]),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
