import { Presets, SingleBar } from 'cli-progress';
import type { JanitorPhase, JanitorProgress } from './janitor-report.ts';

/** Where progress goes: a terminal gets a bar, anything else (a log, a pipe) one line per phase. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface JanitorProgressDisplay {
  update(progress: JanitorProgress): void;
  stop(): void;
}

function barDisplay(stream: ProgressStream): JanitorProgressDisplay {
  const bar = new SingleBar(
    {
      format: '{phase} [{bar}] {value}/{total}',
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let phase: JanitorPhase | undefined;
  return {
    update(progress) {
      if (phase !== progress.phase) {
        // One bar, restarted for each phase: the finished one stays on its own line above.
        if (phase !== undefined) bar.stop();
        bar.start(progress.total, progress.done, { phase: progress.phase.padEnd(15) });
      } else {
        bar.setTotal(progress.total);
        bar.update(progress.done);
      }
      phase = progress.phase;
    },
    stop() {
      if (phase !== undefined) bar.stop();
    },
  };
}

function lineDisplay(stream: ProgressStream): JanitorProgressDisplay {
  let last: JanitorProgress | undefined;
  const finish = () => {
    if (last !== undefined) stream.write(`files janitor: ${last.phase}: ${last.done} checked\n`);
  };
  return {
    update(progress) {
      if (last !== undefined && last.phase !== progress.phase) finish();
      last = progress;
    },
    stop() {
      finish();
      last = undefined;
    },
  };
}

export function janitorProgressDisplay(stream: ProgressStream): JanitorProgressDisplay {
  return stream.isTTY ? barDisplay(stream) : lineDisplay(stream);
}
