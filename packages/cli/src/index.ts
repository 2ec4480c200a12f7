export type { Io } from './cli/io.js';
export { run } from './main.js';
export {
  FleetMetrics,
  type FleetSnapshot,
  type LatencySummary,
  type TimelinePoint,
} from './metrics/fleet-metrics.js';
export { Histogram } from './metrics/histogram.js';
export { type FoundFrame, findFrame } from './validate/lines.js';
export {
  FrameValidator,
  type FrameValidatorOptions,
  type FrameVerdict,
} from './validate/verdict.js';
