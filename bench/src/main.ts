import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Scenario, ScenarioResult } from './harness/scenario.ts';
import { httpFloor } from './scenarios/http-floor.ts';
import { imageVariants } from './scenarios/image-variants.ts';
import { login } from './scenarios/login.ts';
import { revocationLatency } from './scenarios/revocation-latency.ts';
import { sdkProtectedRoute } from './scenarios/sdk-protected-route.ts';
import { tokenClientCredentials } from './scenarios/token-client-credentials.ts';
import { tokenRefresh } from './scenarios/token-refresh.ts';
import { uploadMemory } from './scenarios/upload-memory.ts';
import { uploadThroughput } from './scenarios/upload-throughput.ts';

const scenarios: Scenario[] = [
  httpFloor,
  tokenClientCredentials,
  tokenRefresh,
  login,
  sdkProtectedRoute,
  revocationLatency,
  imageVariants,
  uploadThroughput,
  uploadMemory,
];

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
    connections: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const scenario = scenarios.find((s) => s.name === positionals[0]);
if (values.help || scenario === undefined) {
  process.stderr.write(`${usage()}\n`);
  process.exit(values.help ? 0 : 2);
}
const loadBefore = os.loadavg()[0] ?? 0;
const result = await scenario.run({
  duration: Number(values.duration),
  rounds: Number(values.rounds),
  connections: Number(values.connections ?? scenario.defaultConnections ?? 50),
});
// Both sides share this machine: other work on it during the run skews the rounds.
result.notes = [
  ...(result.notes ?? []),
  `machine: ${os.availableParallelism()} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the run, ` +
    `${(os.loadavg()[0] ?? 0).toFixed(2)} after`,
];
printTable(result);
const file = new URL(`../results/${scenario.name}.json`, import.meta.url);
await mkdir(new URL('../results/', import.meta.url), { recursive: true });
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`wrote bench/results/${scenario.name}.json\n`);
