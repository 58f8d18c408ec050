#!/usr/bin/env node
/** `cdk8s-cnpg-plan`: the same as `cdk8s-cnpg plan` (kept for existing scripts). */
import { runCommandLine } from '../lib/app/cli';

runCommandLine(['plan', ...process.argv.slice(2)]);
