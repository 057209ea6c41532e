import type { ViewName } from '../../../src-main/api/contract/app.ts';

const VIEWS: readonly ViewName[] = ['library', 'train', 'generate'];

function fromHash(): ViewName {
  const name = location.hash.replace(/^#\/?/, '').split('/')[0];
  return (VIEWS as readonly string[]).includes(name) ? (name as ViewName) : 'library';
}

/** Which view is showing. Kept in the URL hash so a reload (or a bookmark in web mode) returns to it. */
class Navigation {
  view = $state<ViewName>(fromHash());

  go(view: ViewName): void {
    this.view = view;
    if (fromHash() !== view) history.replaceState(null, '', `#/${view}`);
  }

  /** Follows back/forward and hand-edited URLs. Returns the unsubscribe function. */
  listen(): () => void {
    const onHash = () => {
      this.view = fromHash();
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }
}

export const navigation = new Navigation();
export const views = VIEWS;
