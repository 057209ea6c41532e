#!/usr/bin/env node
// Global entry (`npm link`, `npm install -g`): runs the TypeScript CLI through tsx,
// which is a runtime dependency for exactly this reason.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
