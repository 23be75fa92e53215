// One check of a helper script: prints "ok: NAME" or "FAIL: NAME: why" for lib.sh's tally.
export async function step(name, fn) {
  try {
    await fn();
    console.log(`ok: ${name}`);
  } catch (error) {
    console.log(`FAIL: ${name}: ${error.message.split('\n')[0]}`);
  }
}
