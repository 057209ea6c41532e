/** A refusal the person can act on; `code` lines up with the API envelope's error codes. */
export class LibraryError extends Error {
  readonly code: 'not-found' | 'conflict' | 'invalid-input';
  constructor(code: LibraryError['code'], message: string) {
    super(message);
    this.name = 'LibraryError';
    this.code = code;
  }
}
