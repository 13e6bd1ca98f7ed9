/** Markdown building blocks for RESULTS.md. */

/** A target of issue 4 and whether this run met it. */
export interface TargetCheck {
  readonly name: string;
  readonly goal: string;
  /** The measured figure, as text. */
  readonly figure: string;
  /** Undefined when the figure could not be taken in this run. */
  readonly met: boolean | undefined;
}

/** What a scenario contributes to the report. */
export interface ScenarioReport {
  readonly id: string;
  readonly title: string;
  /** The section body (tables and notes), without its heading. */
  readonly markdown: string;
  readonly checks: readonly TargetCheck[];
}

/** A markdown table; cells are already text. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const rule = line(header.map((_, i) => (i === 0 ? "---" : "---:")));
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Formats a number with `digits` decimals, or a dash when there is none. */
export function fixed(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value) ? "–" : value.toFixed(digits);
}

/** A rate (requests per second, per CPU-second), thousands separated; a dash when there is none. */
export function perSecond(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "–" : Math.round(value).toLocaleString("en-US");
}

/**
 * Units of work per second of a process's CPU, when `per` units cost it `cpuUs`
 * microseconds: the fair comparison between a server on one core and one on many.
 */
export function perCpuSecond(cpuUs: number | undefined, per = 1): number | undefined {
  return cpuUs === undefined || cpuUs <= 0 ? undefined : (per * 1e6) / cpuUs;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number | undefined): string {
  return bytes === undefined ? "–" : (bytes / 2 ** 20).toFixed(1);
}

/** A ratio such as `1.07x`. */
export function ratio(a: number, b: number): string {
  const r = a / b;
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : "–";
}

/** met / not met, for the targets table. */
export function verdict(met: boolean | undefined): string {
  return met === undefined ? "not measured" : met ? "**met**" : "**not met**";
}
