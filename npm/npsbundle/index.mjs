// ES module entry: the same API as index.js.
import api from './index.js';

export const { check, checkArgs, run, CheckError, BinaryError, EXIT_BINARY_MISSING, EXIT_VERSION_MISMATCH, version } = api;
export default api;
