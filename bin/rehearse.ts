#!/usr/bin/env node
/** `cdk8s-cnpg-rehearse`: the same as `cdk8s-cnpg rehearse` (kept for existing scripts). */
import { runCommandLine } from '../lib/app/cli';

runCommandLine(['rehearse', ...process.argv.slice(2)]);
