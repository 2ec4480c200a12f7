import type { OcppSubprotocol, Role } from '@ocpp/runtime';

/** A frame found in one input line, with what the line says about it. */
export interface FoundFrame {
  readonly text: string;
  /** The subprotocol named on the line (`ocpp2.0.1`), if any. */
  readonly protocol?: OcppSubprotocol;
  /** The sender named on the line (`station→csms`, or `"from":"station"` in JSON logs), if any. */
  readonly from?: Role;
  /** The station identity named on the line (JSON logs), if any. */
  readonly identity?: string;
}

const SUBPROTOCOL = /(?:^|[^\w.])(ocpp(?:1\.6|2\.0\.1|2\.1))(?![\w.])/;
const DIRECTION = /\b(station|csms)\s*(?:→|->)\s*(?:station|csms)\b/;
const FRAME_START = /\[\s*-?\d/;

function isSubprotocol(v: unknown): v is OcppSubprotocol {
  return v === 'ocpp1.6' || v === 'ocpp2.0.1' || v === 'ocpp2.1';
}

/**
 * Finds the OCPP-J frame in one line of input: a bare frame (`[2,"id","Heartbeat",{}]`, valid
 * JSON or not), a JSON log record with a `frame` field (as written by `ocpp csms --log-format
 * json`), or a log line with a frame in it (from the first `[` followed by a number to the last
 * `]`). Returns undefined for lines without a frame (blank lines, other log lines).
 */
export function findFrame(line: string): FoundFrame | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{')) {
    let record: unknown;
    try {
      record = JSON.parse(trimmed);
    } catch {
      record = undefined;
    }
    if (typeof record === 'object' && record !== null && 'frame' in record) {
      const r = record as Record<string, unknown>;
      const text = typeof r.frame === 'string' ? r.frame : JSON.stringify(r.frame);
      const protocol = isSubprotocol(r.protocol) ? r.protocol : undefined;
      const from = r.from === 'station' || r.from === 'csms' ? r.from : undefined;
      const identity = typeof r.identity === 'string' ? r.identity : undefined;
      return {
        text,
        ...(protocol === undefined ? {} : { protocol }),
        ...(from === undefined ? {} : { from }),
        ...(identity === undefined ? {} : { identity }),
      };
    }
    // Another record of a JSON log (a connection event, ...): no frame in it.
    if (typeof record === 'object' && record !== null && 'time' in record && 'type' in record) {
      return undefined;
    }
    // Otherwise the line itself is the (malformed) frame.
    return { text: trimmed };
  }
  if (trimmed.startsWith('[')) return { text: trimmed };
  const start = trimmed.search(FRAME_START);
  if (start === -1) return undefined;
  const end = trimmed.lastIndexOf(']');
  const text = trimmed.slice(start, end > start ? end + 1 : undefined);
  const prefix = trimmed.slice(0, start);
  const protocol = SUBPROTOCOL.exec(prefix)?.[1];
  const from = DIRECTION.exec(prefix)?.[1];
  return {
    text,
    ...(isSubprotocol(protocol) ? { protocol } : {}),
    ...(from === 'station' || from === 'csms' ? { from } : {}),
  };
}
