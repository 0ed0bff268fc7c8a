import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** A fenced code block of a Markdown file, with the `<!-- docs-test: ... -->` marker before it, if any. */
export interface Snippet {
  /** Path relative to the repository root, e.g. `docs/uploads.md`. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: string;
  code: string;
  /** The marker's words, e.g. `run`, `server`, `file=app.module.ts`. */
  marker: string | undefined;
}

export interface MarkdownFile {
  file: string;
  text: string;
}

/** README.md and every Markdown file under docs/. */
export async function documentationFiles(): Promise<MarkdownFile[]> {
  const files = ['README.md'];
  const entries = await readdir(path.join(repositoryRoot, 'docs'), { recursive: true });
  for (const entry of entries.sort()) if (entry.endsWith('.md')) files.push(path.join('docs', entry));
  return Promise.all(
    files.map(async (file) => ({ file, text: await readFile(path.join(repositoryRoot, file), 'utf8') })),
  );
}

const markerPattern = /^<!--\s*docs-test:\s*(.+?)\s*-->$/;

/** The fenced blocks of one file. A marker applies to the block right after it (blank lines allowed). */
export function snippetsOf({ file, text }: MarkdownFile): Snippet[] {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  let marker: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    const markerMatch = markerPattern.exec(trimmed);
    if (markerMatch) {
      marker = markerMatch[1];
      continue;
    }
    const fence = /^(\s*)(`{3,})(\S*)\s*$/.exec(line);
    if (fence) {
      const indent = fence[1]?.length ?? 0;
      const ticks = fence[2] ?? '```';
      const code: string[] = [];
      let j = i + 1;
      while (j < lines.length && (lines[j] ?? '').trim() !== ticks) {
        code.push((lines[j] ?? '').slice(indent));
        j++;
      }
      snippets.push({ file, line: i + 1, language: fence[3] ?? '', code: code.join('\n'), marker });
      marker = undefined;
      i = j;
      continue;
    }
    if (trimmed !== '') marker = undefined;
  }
  return snippets;
}

/** Shell commands of a block: comments dropped, backslash continuations joined, blank lines skipped. */
export function shellCommands(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => stripComment(line).trim())
    .filter((line) => line !== '');
}

/** Drops a trailing `# comment` that is outside quotes. */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** Splits a command into words as a shell would for simple cases: quotes grouped, `$(...)` kept whole. */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < command.length; i++) {
    const char = command[i] ?? '';
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks). */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const heading = /^#{1,6}\s+(.+)$/.exec(line);
    if (heading?.[1]) anchors.add(headingAnchor(heading[1]));
  }
  return anchors;
}
