// The library's shapes as the Library view sees them.
import type { ImageItem } from '../../../../src-main/api/contract/library.ts';

/** One cell of the grid: id, label, excluded flag, file name and thumbnail path. */
export type GridImage = ImageItem;

export type ImageSort = 'imported' | 'name' | 'label';

/** What the grid shows: `labelId` and `unlabelled` are exclusive, `excluded` narrows either. */
export interface ImageFilter {
  labelId?: number;
  unlabelled?: boolean;
  excluded?: boolean;
  search?: string;
}

export interface ImageQuery extends ImageFilter {
  datasetId: number;
  sort: ImageSort;
  descending: boolean;
}

/** The sidebar's choices: which slice of the dataset the grid shows. */
export type View =
  | { kind: 'all' }
  | { kind: 'label'; labelId: number }
  | { kind: 'unlabelled' }
  | { kind: 'excluded' }
  | { kind: 'rejected' };

/** How a grid click was made: shift extends from the anchor, ctrl/cmd toggles one image. */
export interface ClickModifiers {
  shift: boolean;
  toggle: boolean;
}
