import type { IdToken, LocalListEntry } from '@ocpp/generic-api';
import type { InstalledProfile } from './smart-charging.js';

/** Something running in steps (a firmware update, a log upload, a reservation's expiry) that can be cut short. */
export interface Job {
  cancelled: boolean;
  /** Ends the job's current wait. */
  wake?: (() => void) | undefined;
}

/** A reservation of one EVSE. */
export interface Reservation {
  readonly id: number;
  readonly evseId: number;
  readonly idToken: IdToken;
  readonly groupIdToken?: IdToken;
  /** Its expiry. */
  readonly expiry: Job;
}

/** The longest delay one `setTimeout` takes (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What a simulated station holds for firmware updates, log uploads, charging profiles,
 * reservations and the local authorisation list. A station creates it on the first such call from
 * the CSMS, so an idle station carries none of it.
 */
export class StationExtras {
  /** Installed charging profiles. */
  readonly profiles: InstalledProfile[] = [];
  /** Reservations by EVSE. */
  readonly reservations = new Map<number, Reservation>();
  /** The local authorisation list by lower-cased idToken, once one was sent. */
  localList: Map<string, LocalListEntry> | undefined;
  /** The local list's version (0: none). */
  localListVersion = 0;
  /** The firmware update in progress. */
  firmware: Job | undefined;
  /** The log upload in progress. */
  upload: Job | undefined;
  private readonly waits = new Set<() => void>();
  private stopped = false;

  /**
   * Waits `ms` (any length: far-future dates are waited for in steps); resolves false instead when
   * `job` is cancelled or the station stops meanwhile.
   */
  wait(ms: number, job?: Job): Promise<boolean> {
    if (this.stopped || job?.cancelled === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waits.delete(wake);
        if (job !== undefined && job.wake === wake) job.wake = undefined;
        resolve(ok && !this.stopped && job?.cancelled !== true);
      };
      const wake = () => finish(false);
      const arm = (left: number) => {
        const step = Math.min(Math.max(0, left), MAX_TIMER_MS);
        timer = setTimeout(() => (left > step ? arm(left - step) : finish(true)), step);
      };
      this.waits.add(wake);
      if (job !== undefined) job.wake = wake;
      arm(ms);
    });
  }

  /** Cancels a job and ends its current wait. */
  cancel(job: Job): void {
    job.cancelled = true;
    job.wake?.();
  }

  /** Ends every wait for good (the station is shutting down). */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.waits]) wake();
  }
}

/** Case-insensitive identifier key (1.6 `CiString`, 2.x `identifierString`). */
export const tokenKey = (t: IdToken): string => t.idToken.toLowerCase();
