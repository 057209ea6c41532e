import type { GanConfig } from './config.ts';
import type { StepFigures } from './gan.ts';

// Signs that a run has gone wrong, found from figures the trainer already reads back
// (no extra device reads): a loss that is NaN/Inf, a discriminator that wins outright,
// a label whose samples no longer vary.

export type Health =
  | { kind: 'ok' }
  | { kind: 'not-finite'; message: string }
  | { kind: 'warning'; code: 'd-collapse' | 'no-variety'; message: string };

/** The smallest D loss possible: the entropy of the (smoothed) real target; fakes can reach 0. */
export function minimumDiscriminatorLoss(realLabel: number): number {
  if (realLabel >= 1) return 0;
  return -(realLabel * Math.log(realLabel) + (1 - realLabel) * Math.log(1 - realLabel));
}

/** How close to its minimum D's loss may sink before it counts as collapsed. */
const COLLAPSE_MARGIN = 0.05;
/** D(G(z)) below this: D rejects essentially every fake, G gets no useful gradient. */
const COLLAPSE_FAKE = 0.02;

export function checkFigures(figures: StepFigures, config: Pick<GanConfig, 'realLabel'>, step: number): Health {
  if (!figures.finite) {
    return {
      kind: 'not-finite',
      message: `the losses became NaN or infinite before step ${step} (D ${figures.dLoss}, G ${figures.gLoss})`,
    };
  }
  const floor = minimumDiscriminatorLoss(config.realLabel);
  if (figures.dLoss < floor + COLLAPSE_MARGIN || figures.dFake < COLLAPSE_FAKE) {
    return {
      kind: 'warning',
      code: 'd-collapse',
      message:
        `D's loss collapsed to ${figures.dLoss.toFixed(3)} (D(G(z)) ${figures.dFake.toFixed(3)}) at step ${step}: ` +
        'the discriminator wins outright and G stops learning; try augmentation, a lower D learning rate or more data',
    };
  }
  return { kind: 'ok' };
}

/**
 * Labels whose grid row has far less variety than real images of that label: the
 * generator makes (nearly) the same picture whatever z is (mode collapse).
 */
export function labelsWithoutVariety(generated: number[], real: number[], ratio = 0.2): number[] {
  return generated.flatMap((v, label) => (real[label] > 0 && v < real[label] * ratio ? [label] : []));
}
