// Vite plugin: checks each client build against the budget once its files
// are written, and fails `vite build` when a rule is over budget.
import { existsSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import api from './index.js';

const DEFAULT_MANIFEST = '.vite/manifest.json';

export default function npsbundle(options = {}) {
  const failOnError = options.failOnError !== false;
  let config;
  // True when the user had build.manifest off: the plugin turns it on and
  // removes the file again, so the build output is what the user asked for.
  let manifestAdded = false;

  function skipReason(environment) {
    if (config.build.lib) return 'a library-mode build (build.lib): budgets apply to apps';
    if (environment && environment.config && environment.config.consumer === 'server') {
      return `the server build of environment "${environment.name}"`;
    }
    if (config.build.ssr) return 'an SSR build (build.ssr)';
    return null;
  }

  function removeAddedManifest(outDir) {
    const file = path.join(outDir, DEFAULT_MANIFEST);
    rmSync(file, { force: true });
    const folder = path.dirname(file);
    if (existsSync(folder) && readdirSync(folder).length === 0) rmdirSync(folder);
  }

  async function runCheck(outDir, environment, watching) {
    const log = config.logger;
    const reason = skipReason(environment);
    if (reason) {
      log.info(`npsbundle: skipped ${reason}`);
      return;
    }
    const buildConfig = (environment && environment.config && environment.config.build) || config.build;
    const args = api.checkArgs(outDir, {
      budget: options.budget && path.resolve(config.root, options.budget),
      // The binary finds the default manifest itself; only a custom name needs saying.
      manifest: typeof buildConfig.manifest === 'string' ? path.join(outDir, buildConfig.manifest) : undefined,
      args: options.args,
    });
    let result;
    try {
      result = await api.run(args, { cwd: config.root, binary: options.binary });
    } catch (error) {
      result = { code: error.exitCode ?? 70, stdout: '', stderr: error.message };
    } finally {
      if (manifestAdded) removeAddedManifest(outDir);
    }
    if (result.stdout.trim()) log.info('\n' + result.stdout.trimEnd());
    const problem =
      result.code === 0
        ? null
        : result.code === 1
          ? 'npsbundle: budget exceeded (see the report above)'
          : result.stderr.trim() || `npsbundle: check exited with ${result.signal || result.code}`;
    if (!problem) return;
    if (failOnError && !watching) throw new Error(problem);
    log.warn(problem);
  }

  return {
    name: 'npsbundle',
    apply: 'build',
    config(user, env) {
      const build = user.build || {};
      if (build.lib || build.ssr || (env && env.isSsrBuild)) return;
      if (!build.manifest) {
        manifestAdded = true;
        return { build: { manifest: true } };
      }
    },
    configResolved(resolved) {
      config = resolved;
    },
    writeBundle: {
      order: 'post',
      sequential: true,
      async handler(outputOptions) {
        const environment = this.environment;
        const outDir =
          outputOptions.dir ||
          path.resolve(config.root, (environment && environment.config.build.outDir) || config.build.outDir);
        const watching = Boolean((this.meta && this.meta.watchMode) || config.build.watch);
        await runCheck(outDir, environment, watching);
      },
    },
  };
}

export { npsbundle };
