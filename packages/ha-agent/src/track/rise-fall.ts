/**
 * keepalived's rise/fall hysteresis for vrrp_script (vrrp_scheduler.c), reused by the balancer tracker.
 * A counter runs 0 … rise+fall-1; the object is OK while counter >= rise. A success when OK refills the
 * counter; `rise` consecutive successes are needed from KO, `fall` consecutive failures from a full OK.
 */
import { HaError } from '../errors.ts';
export type RiseFallInit = 'init' | 'failed' | 'good';

export class RiseFall {
  readonly rise: number;
  readonly fall: number;
  #result: number;
  /** true until the first observation; keepalived reports the first failure of an INIT script as KO */
  #initial: boolean;

  constructor(rise: number, fall: number, init: RiseFallInit = 'init') {
    if (!Number.isInteger(rise) || rise < 1)
      throw new HaError('HA_ERR_TRACK', `rise must be an integer >= 1, got ${rise}`);
    if (!Number.isInteger(fall) || fall < 1)
      throw new HaError('HA_ERR_TRACK', `fall must be an integer >= 1, got ${fall}`);
    this.rise = rise;
    this.fall = fall;
    // 'init': one success is enough to go OK; 'failed' (init_fail): rise successes; 'good': one failure
    // is enough to go KO.
    this.#result = init === 'failed' ? 0 : init === 'good' ? rise : rise - 1;
    this.#initial = init === 'init';
  }

  get ok(): boolean {
    return this.#result >= this.rise;
  }

  get counter(): number {
    return this.#result;
  }

  /** Records a success; returns true when this observation turned the state OK. */
  success(): boolean {
    const wasOk = this.ok;
    this.#initial = false;
    if (this.#result < this.rise - 1) this.#result++;
    else this.#result = this.rise + this.fall - 1;
    return !wasOk && this.ok;
  }

  /** Records a failure; returns true when this observation turned the state KO (or was the first one). */
  failure(): boolean {
    const wasOk = this.ok;
    const wasInitial = this.#initial;
    this.#initial = false;
    if (this.#result > this.rise) {
      this.#result--;
      return false;
    }
    this.#result = 0;
    return wasOk || wasInitial;
  }

  /** Forces KO at once (authoritative negative evidence such as a closed balancer socket). */
  forceDown(): boolean {
    const wasOk = this.ok;
    this.#initial = false;
    this.#result = 0;
    return wasOk;
  }
}
