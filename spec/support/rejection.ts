/**
 * rejectionOf: the error a promise rejects with, for asserting on failures (chai 6 has no
 * promise assertions of its own).
 */

/** Resolve with what `promise` rejects with; reject if it resolves instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
