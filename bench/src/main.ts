import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Scenario, ScenarioResult } from './harness/scenario.ts';
import { httpFloor } from './scenarios/http-floor.ts';

const scenarios: Scenario[] = [httpFloor];

function usage(): string {
  return [
    'usage: npm run bench -- <scenario> [--duration S] [--rounds N] [--connections N]',
    '',
    'scenarios:',
    ...scenarios.map((s) => `  ${s.name.padEnd(28)} ${s.description}`),
  ].join('\n');
}

function printTable(result: ScenarioResult): void {
  const format = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  const rows = [
    ['side', result.unit, 'rounds'],
    ['guichet', format(result.subject.value), result.subject.rounds.map(format).join(' / ')],
    ['baseline', format(result.baseline.value), result.baseline.rounds.map(format).join(' / ')],
    ['ratio', result.ratio.toFixed(3), ''],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}\n`);
  for (const note of result.notes ?? []) process.stdout.write(`note: ${note}\n`);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    help: { type: 'boolean', default: false },
  },
});
const scenario = scenarios.find((s) => s.name === positionals[0]);
if (values.help || scenario === undefined) {
  process.stderr.write(`${usage()}\n`);
  process.exit(values.help ? 0 : 2);
}
const result = await scenario.run({
  duration: Number(values.duration),
  rounds: Number(values.rounds),
  connections: Number(values.connections),
});
printTable(result);
const file = new URL(`../results/${scenario.name}.json`, import.meta.url);
await mkdir(new URL('../results/', import.meta.url), { recursive: true });
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`wrote bench/results/${scenario.name}.json\n`);
