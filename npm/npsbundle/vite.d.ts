import type { Plugin } from 'vite';

export interface NpsbundlePluginOptions {
  /** Budget file, relative to Vite's root (default: ./npsbundle.budget.json if present, else the built-in default). */
  budget?: string;
  /** Fail `vite build` when a rule is over budget or the check cannot run (default true); false prints a warning. Watch mode only warns. */
  failOnError?: boolean;
  /** More command-line arguments for `npsbundle check`. */
  args?: string[];
  /** Binary to run instead of the platform package's. */
  binary?: string;
}

export default function npsbundle(options?: NpsbundlePluginOptions): Plugin;
export { npsbundle };
