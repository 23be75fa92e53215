// One config for every case of tests/vite_plugin/run.sh, chosen by NPSB_* variables.
import npsbundle from 'npsbundle/vite';

const env = process.env;
export default {
  base: env.NPSB_BASE || '/',
  build: {
    outDir: env.NPSB_OUTDIR || 'dist',
    manifest: env.NPSB_MANIFEST === 'on' ? true : env.NPSB_MANIFEST || false,
    lib: env.NPSB_LIB ? { entry: 'src/format.ts', formats: ['es'], fileName: 'format' } : undefined,
  },
  plugins: [
    npsbundle({
      budget: env.NPSB_BUDGET || 'npsbundle.budget.json',
      failOnError: env.NPSB_FAIL_ON_ERROR !== 'false',
    }),
  ],
};
