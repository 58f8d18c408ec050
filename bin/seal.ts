#!/usr/bin/env node
/** `cdk8s-cnpg-seal`: the same as `cdk8s-cnpg seal` (kept for existing scripts). */
import { runCommandLine } from '../lib/app/cli';

runCommandLine(['seal', ...process.argv.slice(2)]);
