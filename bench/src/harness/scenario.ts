/** Figures for one side of a comparison; `value` is in the scenario's unit. */
export interface SideResult {
  value: number;
  rounds: number[];
  [detail: string]: unknown;
}

export interface ScenarioResult {
  scenario: string;
  unit: string;
  subject: SideResult;
  baseline: SideResult;
  /** subject / baseline: above 1 means Guichet is faster (or uses less, per the scenario's note). */
  ratio: number;
  notes?: string[];
}

export interface BenchOptions {
  /** Seconds of load per round and side. */
  duration: number;
  /** Rounds per side; sides alternate so drift hits both. */
  rounds: number;
  connections: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Connections (or virtual users) when --connections is not given; 50 otherwise. */
  defaultConnections?: number;
  run(options: BenchOptions): Promise<ScenarioResult>;
}
