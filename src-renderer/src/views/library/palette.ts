import { LABEL_PALETTE } from '../../../../src-main/library/palette.ts';

/** Label colours offered in the colour menu: the first ten of the set the library hands to new labels. */
export const LABEL_COLOURS = LABEL_PALETTE.slice(0, 10);
