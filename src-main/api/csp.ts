/**
 * The one Content-Security-Policy of the studio's pages, on both transports (the web
 * server's responses and Electron's studio:// protocol). wasm-unsafe-eval: tfjs's wasm
 * backend; blob: workers: tfjs; inline styles: Svelte's style attributes.
 */
export const STUDIO_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
