import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { builtRendererDir, defaultLibraryPath } from '../../api/paths.ts';
import { createStudio } from '../../api/studio.ts';
import { startWebServer } from '../../server/web-server.ts';
import { CliError, createOutput } from '../output.ts';
import { parsePort } from '../options.ts';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the studio as a local web app on 127.0.0.1 (reach a remote GPU box through an SSH tunnel).')
    .option('--library <dir>', 'library folder', defaultLibraryPath())
    .option('--port <port>', 'port to listen on (default: a free one)', parsePort)
    .option('--renderer <dir>', 'built renderer to serve', builtRendererDir())
    .option('--json', 'print one JSON line with the URL instead of text')
    .action(async (opts: { library: string; port?: number; renderer: string; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const rendererDir = resolve(opts.renderer);
      if (!existsSync(join(rendererDir, 'index.html'))) {
        throw new CliError(`no built renderer in ${rendererDir}: run "npm run build" first (npm run serve does it for you)`);
      }
      const studio = createStudio({ transport: 'web', libraryPath: resolve(opts.library) });
      let server;
      try {
        server = await startWebServer({ studio, rendererDir, port: opts.port });
      } catch (error) {
        await studio.close();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new CliError(`port ${opts.port} is already in use: pick another with --port or leave it out`);
        throw error;
      }
      out.event('listening', { url: server.url, port: server.port, library: studio.services.libraryPath });
      if (!out.json) {
        process.stdout.write(
          `cGAN Studio is running in web mode.\n` +
            `  library: ${studio.services.libraryPath}\n` +
            `  open:    ${server.url}\n` +
            `  remote:  ssh -L ${server.port}:127.0.0.1:${server.port} <gpu-box>, then open the URL above locally\n` +
            `Press Ctrl+C to stop.\n`,
        );
      }
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(() => studio.close()).then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
