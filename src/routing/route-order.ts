/**
 * Where each provider goes for one alert, pure: healthy providers in their configured order, then the
 * demoted ones in theirs, except that a share of alerts (the trial floor) tries a demoted provider first so
 * that its recovery shows in the receipts. Breakers and rate limits still act on every step of the route.
 */
export interface RouteOrder<P extends string> {
  order: P[];
  /** The demoted provider this alert tries first, if it is a trial. */
  trial?: P;
  /** Demoted providers this alert was routed past (a healthy provider goes before them). */
  passed: P[];
}

export function orderRoute<P extends string>(
  configured: readonly P[],
  demoted: ReadonlySet<string>,
  trial?: P,
): RouteOrder<P> {
  const healthy = configured.filter((p) => !demoted.has(p));
  const down = configured.filter((p) => demoted.has(p));
  const base = [...healthy, ...down];
  const order = trial ? [trial, ...base.filter((p) => p !== trial)] : base;
  const rank = (p: P) => configured.indexOf(p);
  const passed = down.filter((p) => p !== trial && healthy.some((h) => rank(h) > rank(p)));
  return { order, trial, passed };
}

/**
 * The trial floor: each demoted provider earns `percent` credit per alert routed and is tried first when
 * it has 100, so exactly that share of alerts tries it (per process), evenly spread, never in a burst.
 * Integer arithmetic: no drift however many alerts pass.
 */
export class TrialFloor {
  private readonly credit = new Map<string, number>();

  constructor(private readonly percent: number) {}

  /** For one alert: the demoted provider it tries first, if any. Several demoted take turns. */
  pick(demoted: readonly string[]): string | undefined {
    let chosen: string | undefined;
    for (const p of demoted) {
      const credit = (this.credit.get(p) ?? 0) + this.percent;
      if (chosen === undefined && credit >= 100) {
        chosen = p;
        this.credit.set(p, credit - 100);
      } else {
        // Capped: a provider waiting its turn behind another takes the next alert, not a burst of them.
        this.credit.set(p, Math.min(credit, 100));
      }
    }
    return chosen;
  }

  /** A restored provider starts from nothing if it is demoted again. */
  forget(provider: string): void {
    this.credit.delete(provider);
  }
}
