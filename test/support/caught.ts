/**
 * What a call threw (or rejected with). Use instead of `toThrow` for errors raised by native addons:
 * better-sqlite3 is loaded once per Jest worker, so its error class may come from another test
 * file's realm and fail `instanceof Error`, which `toThrow` relies on.
 */
export async function caught(fn: () => unknown): Promise<{ message: string; code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as { message: string; code?: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
