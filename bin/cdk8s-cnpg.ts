#!/usr/bin/env node
/** `cdk8s-cnpg <seal|backup|plan|rehearse> …`: the library's commands, in any cdk8s project that installed it. */
import '../lib/app/register-compile-cache';
import { runCommandLine } from '../lib/app/cli';

runCommandLine(process.argv.slice(2));
