#!/usr/bin/env node
/** `cdk8s-cnpg-backup`: the same as `cdk8s-cnpg backup` (kept for existing scripts). */
import { runCommandLine } from '../lib/app/cli';

runCommandLine(['backup', ...process.argv.slice(2)]);
