#!/usr/bin/env node
// The `ocpp` command: runs the compiled CLI (build it with `pnpm --filter @ocpp/cli build`).
import { main } from '../dist/bin.js';

main();
