/**
 * Imported for its effect, first in a program (`import 'cdk8s-cnpg/compile-cache'`, or this repository's main.ts and
 * the `cdk8s-cnpg` command): every module loaded after it uses the V8 code cache of `enableCompileCache`.
 */
import { enableCompileCache } from '../core/compile-cache';

enableCompileCache();
