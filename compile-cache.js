// `import 'cdk8s-cnpg/compile-cache'`, first in a program: every module loaded after it (this library, cdk8s,
// cdk8s-plus-28, …) uses a V8 code cache kept in node_modules/.cache/cdk8s-cnpg/ (build/lib/core/compile-cache.js).
require('./build/lib/app/register-compile-cache');
